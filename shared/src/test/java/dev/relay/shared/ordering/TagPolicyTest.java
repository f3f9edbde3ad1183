package dev.relay.shared.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.ordering.TagPolicy.Comparison;
import dev.relay.shared.ordering.TagPolicy.Image;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TagPolicyTest {

    private static final Instant EARLY = Instant.parse("2026-11-01T10:00:00Z");
    private static final Instant LATE = Instant.parse("2026-11-02T10:00:00Z");

    @Test
    void shouldOrderSemanticVersionsByDefaultNotAlphabetically() {
        TagPolicy policy = TagPolicy.of(null);

        assertThat(policy.compare(image("1.10.0"), image("1.9.0"))).isEqualTo(Comparison.NEWER);
        assertThat(policy.compare(image("v1.2.0"), image("1.3.0"))).isEqualTo(Comparison.OLDER);
        assertThat(policy.compare(image("2.0.0-rc.1"), image("2.0.0"))).isEqualTo(Comparison.OLDER);
        assertThat(policy.filters(image("anything-goes"))).isEmpty();
    }

    @Test
    void shouldFallBackToSourceCommitTimesAndElseNotTell() {
        TagPolicy policy = TagPolicy.of(null);

        assertThat(policy.compare(new Image("main-abc", null, EARLY), new Image("main-def", null, LATE)))
                .isEqualTo(Comparison.OLDER);
        assertThat(policy.compare(new Image("1.2.0", null, EARLY), new Image("latest", null, LATE)))
                .isEqualTo(Comparison.OLDER);
        assertThat(policy.compare(image("main-abc"), new Image("main-def", null, LATE))).isEqualTo(Comparison.UNKNOWN);
        assertThat(policy.compare(image("latest"), image("1.0.0"))).isEqualTo(Comparison.UNKNOWN);
    }

    @Test
    void shouldTreatTheSameTagRePushedLaterAsNewerAndEarlierAsOlder() {
        TagPolicy policy = TagPolicy.of(null);

        assertThat(policy.compare(new Image("1.0.0", "sha256:b", LATE), new Image("1.0.0", "sha256:a", EARLY)))
                .isEqualTo(Comparison.NEWER);
        assertThat(policy.compare(new Image("1.0.0", "sha256:a", EARLY), new Image("1.0.0", "sha256:b", LATE)))
                .isEqualTo(Comparison.OLDER);
        assertThat(policy.compare(new Image("1.0.0", "sha256:b", null), new Image("1.0.0", "sha256:a", null)))
                .as("re-pushed without times: the registry's latest push wins").isEqualTo(Comparison.NEWER);
        assertThat(policy.compare(new Image("1.0.0", "sha256:a", null), new Image("1.0.0", "sha256:a", null)))
                .isEqualTo(Comparison.SAME);
    }

    @Test
    void shouldFilterByPatternAndOrderTheExtractedGroup() {
        TagPolicy policy = TagPolicy.of(new RelayProperties.Tags("^main-[a-f0-9]+-(?<ts>[0-9]+)$", "$ts",
                RelayProperties.Order.NUMERIC, null));

        assertThat(policy.filters(image("main-abc123-1700000100"))).isEmpty();
        assertThat(policy.filters(image("feature-abc123-1700000100"))).get().asString().contains("tags.pattern");
        assertThat(policy.compare(image("main-fff-900"), image("main-aaa-1000"))).isEqualTo(Comparison.OLDER);
        assertThat(policy.compare(image("main-aaa-1000"), image("main-fff-900"))).isEqualTo(Comparison.NEWER);
        assertThat(policy.compare(image("main-aaa-1000"), image("1.0.0"))).as("current outside the policy")
                .isEqualTo(Comparison.UNKNOWN);
    }

    @Test
    void shouldKeepOnlyVersionsInTheSemverRange() {
        TagPolicy policy = TagPolicy.of(new RelayProperties.Tags("^v(?<version>.*)$", "${version}",
                RelayProperties.Order.SEMVER, ">=1.0.0 <2.0.0"));

        assertThat(policy.filters(image("v1.4.0"))).isEmpty();
        assertThat(policy.filters(image("v2.0.0"))).get().asString().contains("outside tags.range");
        assertThat(policy.filters(image("vnext"))).get().asString().contains("not a semantic version");
        assertThat(policy.filters(image("1.4.0"))).get().asString().contains("tags.pattern");
        assertThat(policy.compare(image("v1.10.0"), image("v1.9.3"))).isEqualTo(Comparison.NEWER);
    }

    @Test
    void shouldOrderAlphabeticallyAndBySourceCommitTimeWhenAsked() {
        TagPolicy alphabetical = TagPolicy.of(new RelayProperties.Tags(null, null, RelayProperties.Order.ALPHABETICAL,
                null));
        TagPolicy byTime = TagPolicy.of(new RelayProperties.Tags(null, null,
                RelayProperties.Order.SOURCE_COMMIT_TIME, null));

        assertThat(alphabetical.compare(image("RELEASE.2026-11-02"), image("RELEASE.2026-10-30")))
                .isEqualTo(Comparison.NEWER);
        assertThat(byTime.compare(new Image("9.0.0", null, EARLY), new Image("1.0.0", null, LATE)))
                .isEqualTo(Comparison.OLDER);
        assertThat(byTime.filters(image("9.0.0"))).get().asString().contains("sourceCommitTime");
        assertThat(byTime.filters(new Image("9.0.0", null, EARLY))).isEmpty();
    }

    @Test
    void shouldValidateSettings() {
        assertThat(TagPolicy.isValidPattern("^v(")).isFalse();
        assertThat(TagPolicy.isValidExtract("^v(?<version>.*)$", "$version")).isTrue();
        assertThat(TagPolicy.isValidExtract("^v(.*)$", "$1")).isTrue();
        assertThat(TagPolicy.isValidExtract("^v(.*)$", "$2")).isFalse();
        assertThat(TagPolicy.isValidExtract("^v(?<version>.*)$", "$other")).isFalse();
        assertThat(TagPolicy.isValidExtract("^v(?<version>.*)$", "version")).isFalse();
        assertThat(TagPolicy.isValidRange(">=1.0.0 <2.0.0")).isTrue();
        assertThat(TagPolicy.isValidRange("^1.2")).isTrue();
        assertThat(TagPolicy.isValidRange("garbage")).isFalse();
        assertThat(TagPolicy.isValidRange("1.0.0; rm -rf")).isFalse();
    }

    private static Image image(String tag) {
        return new Image(tag, null, null);
    }
}
