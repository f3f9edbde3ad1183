package dev.relay.local.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.local.broker.TriggerFilter.Verdict;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TriggerFilterTest {

    private static final CloudEvent SCAN_PASSED = CloudEventBuilder.v1()
            .withId("e-1")
            .withSource(URI.create("/relay/on-image-scan"))
            .withType("dev.relay.scan.passed")
            .withExtension("relayapp", "shop")
            .withExtension("relayenv", "staging")
            .build();

    @Test
    void shouldMatchLegacyAttributesExactlyIncludingExtensions() {
        assertThat(new TriggerFilter.Attributes(Map.of("type", "dev.relay.scan.passed", "relayapp", "shop"))
                .evaluate(SCAN_PASSED)).isEqualTo(Verdict.PASS);
        assertThat(new TriggerFilter.Attributes(Map.of("type", "dev.relay.scan.passed", "relayapp", "billing"))
                .evaluate(SCAN_PASSED)).isEqualTo(Verdict.FAIL);
        assertThat(new TriggerFilter.Attributes(Map.of("relaytrace", "x")).evaluate(SCAN_PASSED))
                .isEqualTo(Verdict.FAIL);
    }

    @Test
    void shouldTreatEmptyLegacyValueAsAnyNonEmptyValue() {
        assertThat(new TriggerFilter.Attributes(Map.of("relayapp", "")).evaluate(SCAN_PASSED)).isEqualTo(Verdict.PASS);
        assertThat(new TriggerFilter.Attributes(Map.of("relaytrace", "")).evaluate(SCAN_PASSED))
                .isEqualTo(Verdict.FAIL);
        // subject is a standard attribute: it "exists" but is empty, so "any" fails
        assertThat(new TriggerFilter.Attributes(Map.of("subject", "")).evaluate(SCAN_PASSED)).isEqualTo(Verdict.FAIL);
    }

    @Test
    void shouldPassEverythingWithoutFilter() {
        assertThat(new TriggerFilter.None().matches(SCAN_PASSED)).isTrue();
        assertThat(new TriggerFilter.Attributes(Map.of()).evaluate(SCAN_PASSED)).isEqualTo(Verdict.NO_FILTER);
        assertThat(new TriggerFilter.All(List.of()).matches(SCAN_PASSED)).isTrue();
    }

    @Test
    void shouldMatchPrefixAndSuffix() {
        assertThat(new TriggerFilter.Prefix(Map.of("type", "dev.relay.scan.")).evaluate(SCAN_PASSED))
                .isEqualTo(Verdict.PASS);
        assertThat(new TriggerFilter.Prefix(Map.of("type", "dev.relay.build.")).evaluate(SCAN_PASSED))
                .isEqualTo(Verdict.FAIL);
        assertThat(new TriggerFilter.Suffix(Map.of("type", ".passed")).evaluate(SCAN_PASSED)).isEqualTo(Verdict.PASS);
        assertThat(new TriggerFilter.Suffix(Map.of("source", "-bump")).evaluate(SCAN_PASSED)).isEqualTo(Verdict.FAIL);
        assertThat(new TriggerFilter.Prefix(Map.of("relayenv", "stag")).evaluate(SCAN_PASSED)).isEqualTo(Verdict.PASS);
        assertThat(new TriggerFilter.Prefix(Map.of("missing", "x")).evaluate(SCAN_PASSED)).isEqualTo(Verdict.FAIL);
    }

    @Test
    void shouldCombineWithAllAnyNot() {
        TriggerFilter passed = new TriggerFilter.Exact(Map.of("type", "dev.relay.scan.passed"));
        TriggerFilter production = new TriggerFilter.Exact(Map.of("relayenv", "production"));

        assertThat(new TriggerFilter.All(List.of(passed, new TriggerFilter.Not(production))).evaluate(SCAN_PASSED))
                .isEqualTo(Verdict.PASS);
        assertThat(new TriggerFilter.All(List.of(passed, production)).evaluate(SCAN_PASSED)).isEqualTo(Verdict.FAIL);
        assertThat(new TriggerFilter.Any(List.of(production, passed)).evaluate(SCAN_PASSED)).isEqualTo(Verdict.PASS);
        assertThat(new TriggerFilter.Any(List.of(production)).evaluate(SCAN_PASSED)).isEqualTo(Verdict.FAIL);
        assertThat(new TriggerFilter.Not(passed).evaluate(SCAN_PASSED)).isEqualTo(Verdict.FAIL);
    }

    @Test
    void shouldKeepNoFilterNeutralInCombinators() {
        TriggerFilter none = new TriggerFilter.None();
        TriggerFilter failing = new TriggerFilter.Exact(Map.of("type", "other"));
        assertThat(new TriggerFilter.Not(none).evaluate(SCAN_PASSED)).isEqualTo(Verdict.NO_FILTER);
        assertThat(new TriggerFilter.Any(List.of(none, failing)).evaluate(SCAN_PASSED)).isEqualTo(Verdict.FAIL);
        assertThat(new TriggerFilter.All(List.of(none)).matches(SCAN_PASSED)).isTrue();
    }

    @Test
    void shouldRejectEmptyAttributeOrValueInNewFilters() {
        assertThatThrownBy(() -> new TriggerFilter.Exact(Map.of("type", "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("can't be empty");
        assertThatThrownBy(() -> new TriggerFilter.Prefix(Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
