package dev.relay.local.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TriggerLoaderTest {

    private final TriggerLoader loader = new TriggerLoader();

    @Test
    void shouldLoadEveryTriggerOfTheTestDirectoryAndSkipOtherKinds() {
        List<TriggerDefinition> triggers = loader.loadDirectory(Path.of("src/test/resources/broker/triggers"));

        assertThat(triggers).extracting(TriggerDefinition::name).containsExactly(
                "chain-a", "chain-b", "flaky", "doomed", "doomed-internal", "rejected", "scan-passed",
                "exact-shop", "prefix-types", "any-of-two", "not-production", "structured");
    }

    @Test
    void shouldReadSubscriberFilterAndDelivery() {
        TriggerDefinition doomed = loader.loadDirectory(Path.of("src/test/resources/broker/triggers")).stream()
                .filter(trigger -> trigger.name().equals("doomed")).findFirst().orElseThrow();

        assertThat(doomed.broker()).isEqualTo("default");
        assertThat(doomed.filter()).isEqualTo(new TriggerFilter.Attributes(Map.of("type", "dev.relay.test.doomed")));
        assertThat(doomed.subscriber())
                .isEqualTo(new Destination.Ref("serving.knative.dev/v1", "Service", "always-fails", null));
        assertThat(doomed.delivery()).isEqualTo(new DeliveryPolicy(2, DeliveryPolicy.BackoffPolicy.EXPONENTIAL,
                Duration.ofMillis(20), new Destination.Ref("serving.knative.dev/v1", "Service", "dead-letter-sink",
                        null)));
    }

    @Test
    void shouldPreferFiltersOverFilterAsKnativeDoes() {
        List<TriggerDefinition> triggers = loader.parse("""
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: both}
                spec:
                  filter: {attributes: {type: legacy}}
                  filters:
                    - exact: {type: new}
                  subscriber: {uri: "http://127.0.0.1:9/sink"}
                """, "inline");

        assertThat(triggers.get(0).filter())
                .isEqualTo(new TriggerFilter.All(List.of(new TriggerFilter.Exact(Map.of("type", "new")))));
        assertThat(triggers.get(0).subscriber()).isEqualTo(new Destination.Uri(URI.create("http://127.0.0.1:9/sink")));
        assertThat(triggers.get(0).delivery()).isEqualTo(DeliveryPolicy.NONE);
    }

    @Test
    void shouldRejectCesqlWithAClearMessage() {
        assertThatThrownBy(() -> loader.parse("""
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: sql}
                spec:
                  filters:
                    - cesql: "type = 'x'"
                  subscriber: {uri: "http://127.0.0.1:9/"}
                """, "sql.yaml"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Trigger sql in sql.yaml")
                .hasMessageContaining("spec.filters[0].cesql")
                .hasMessageContaining("not supported");
    }

    @Test
    void shouldNameTheFieldOfABadDelivery() {
        assertThatThrownBy(() -> loader.parse("""
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: slow}
                spec:
                  subscriber: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: x}}
                  delivery: {retry: 2, backoffPolicy: linear, backoffDelay: "200ms"}
                """, "slow.yaml"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spec.delivery.backoffDelay");
    }
}
