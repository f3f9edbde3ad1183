package dev.relay.tests.manifests;

import static dev.relay.tests.manifests.ManifestValidator.path;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayEventTypes;
import dev.relay.tests.manifests.Manifests.Manifest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconcile tick in a cluster: the PingSource {@code relay-reconcile} passes the real PingSource CRD schema, ticks
 * every 5 minutes into the Broker, and a Trigger routes exactly its event (the type Knative fixes and its source) to
 * on-image-scan, which has the Broker as {@code K_SINK} for its repairs.
 */
class ReconcileManifestsTest {

    static List<Manifest> knative;
    static List<Manifest> triggers;

    @BeforeAll
    static void load() {
        Path root = Manifests.repoRoot();
        knative = Manifests.parseAll(List.of(root.resolve("knative")));
        triggers = Manifests.parseAll(List.of(root.resolve("triggers")));
    }

    @Test
    void thePingSourceTicksEveryFiveMinutesIntoTheBrokerAndPassesTheRealCrd() {
        Manifest ping = KnativeManifestSchemaTest.ofKind(knative, "sources.knative.dev/v1", "PingSource").stream()
                .filter(m -> m.name().equals("relay-reconcile")).findFirst().orElseThrow();

        assertThat(ManifestValidator.shared().validate(ping.content())).isEmpty();
        assertThat(path(ping.content(), "spec", "schedule")).isEqualTo("*/5 * * * *");
        assertThat(path(ping.content(), "spec", "sink", "ref")).isEqualTo(Map.of(
                "apiVersion", "eventing.knative.dev/v1", "kind", "Broker", "name", "relay"));
        assertThat(RelayEventTypes.RECONCILE_TICK_SOURCE).isEqualTo("/apis/v1/namespaces/"
                + path(ping.content(), "metadata", "namespace") + "/pingsources/" + ping.name());
        Map<String, Object> wrong = Manifests.deepCopy(ping.content());
        spec(wrong).put("type", RelayEventTypes.RECONCILE_TICK);
        assertThat(ManifestValidator.shared().validate(wrong)).as("a PingSource cannot set its type").isNotEmpty();
    }

    @Test
    void aTriggerRoutesExactlyTheTickToOnImageScan() {
        List<Manifest> routed = KnativeManifestSchemaTest.ofKind(triggers, "eventing.knative.dev/v1", "Trigger")
                .stream().filter(t -> RelayEventTypes.RECONCILE_TICK.equals(
                        path(t.content(), "spec", "filter", "attributes", "type")))
                .toList();

        assertThat(routed).extracting(Manifest::name).containsExactly("on-image-scan-reconcile-tick");
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", RelayEventTypes.RECONCILE_TICK);
        attributes.put("source", RelayEventTypes.RECONCILE_TICK_SOURCE);
        assertThat(path(routed.get(0).content(), "spec", "filter", "attributes"))
                .isEqualTo(attributes);
        assertThat(path(routed.get(0).content(), "spec", "subscriber", "ref", "name"))
                .isEqualTo("on-image-scan");
    }

    @Test
    void onImageScanHasTheBrokerAsItsSink() {
        assertThat(KnativeManifestSchemaTest.ofKind(knative, "sources.knative.dev/v1", "SinkBinding"))
                .filteredOn(b -> "on-image-scan".equals(
                        path(b.content(), "spec", "subject", "name")))
                .singleElement().satisfies(b -> assertThat(
                        path(b.content(), "spec", "sink", "ref", "kind")).isEqualTo("Broker"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(Map<String, Object> doc) {
        return (Map<String, Object>) doc.get("spec");
    }
}
