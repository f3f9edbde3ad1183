package dev.relay.tests.manifests;

import static dev.relay.tests.manifests.ManifestValidator.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.relay.tests.manifests.Manifests.Manifest;

/**
 * {@code overlays/kafka-broker/} (the durable broker for production, {@code kubectl apply -k overlays/kafka-broker/}):
 * rendered with kubectl kustomize, every object validates strictly as the base's do, Broker relay is of Knative's
 * {@code Kafka} class with its topic ConfigMap, the topic is replicated, and nothing else differs from the base.
 *
 * <p>The overlay lives beside {@code knative/}, not under it: kustomize refuses an overlay inside its base's directory
 * ("cycle detected: candidate root ... contains visited root").
 */
class KafkaBrokerOverlayTest {

    static final String KAFKA_CLASS = "Kafka";
    static final String CLASS_ANNOTATION = "eventing.knative.dev/broker.class";

    static Path root;
    static Path overlay;
    static List<Manifest> rendered;
    static List<Manifest> base;

    @BeforeAll
    static void load() {
        root = Manifests.repoRoot();
        overlay = root.resolve("overlays/kafka-broker");
        rendered = Manifests.kustomize(overlay);
        base = Manifests.kustomize(root.resolve("knative"));
    }

    /** Violations of the overlay's promise: a durable Kafka-class Broker relay with a complete topic config. */
    static List<String> kafkaBroker(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        List<Manifest> brokers = KnativeManifestSchemaTest.ofKind(docs, "eventing.knative.dev/v1", "Broker");
        if (brokers.size() != 1 || !brokers.get(0).name().equals("relay")) {
            return List.of("exactly Broker relay expected, found " + brokers.stream().map(Manifest::name).toList());
        }
        Manifest broker = brokers.get(0);
        Object brokerClass = path(broker.content(), "metadata", "annotations", CLASS_ANNOTATION);
        if (!KAFKA_CLASS.equals(brokerClass)) {
            out.add("Broker/relay: " + CLASS_ANNOTATION + " must be " + KAFKA_CLASS + ", not " + brokerClass);
        }
        Object config = path(broker.content(), "spec", "config");
        if (!(config instanceof Map<?, ?> ref) || !"v1".equals(ref.get("apiVersion"))
                || !"ConfigMap".equals(ref.get("kind"))) {
            out.add("Broker/relay: spec.config must reference a v1 ConfigMap, not " + config);
            return out;
        }
        Manifest cm = KnativeManifestSchemaTest.ofKind(docs, "v1", "ConfigMap").stream()
                .filter(m -> m.name().equals(ref.get("name"))
                        && String.valueOf(m.metadata().get("namespace")).equals(String.valueOf(ref.get("namespace"))))
                .findFirst().orElse(null);
        if (cm == null) {
            out.add("Broker/relay: spec.config names ConfigMap " + ref.get("namespace") + "/" + ref.get("name")
                    + ", which the overlay does not hold");
            return out;
        }
        Map<?, ?> data = path(cm.content(), "data") instanceof Map<?, ?> d ? d : Map.of();
        String label = "ConfigMap/" + cm.name();
        for (Object key : data.keySet()) {
            String k = String.valueOf(key);
            if (!k.equals("bootstrap.servers") && !k.equals("default.topic.partitions")
                    && !k.equals("default.topic.replication.factor") && !k.startsWith("default.topic.config.")
                    && !k.equals("auth.secret.ref.name")) {
                out.add(label + ": " + k + " is not a Kafka broker setting");
            }
        }
        String servers = String.valueOf(data.get("bootstrap.servers"));
        if (!servers.matches("[A-Za-z0-9.-]+:\\d{1,5}(,[A-Za-z0-9.-]+:\\d{1,5})*")) {
            out.add(label + ": bootstrap.servers must be host:port[,host:port...], not " + servers);
        }
        int partitions = positive(data.get("default.topic.partitions"));
        int replication = positive(data.get("default.topic.replication.factor"));
        if (partitions < 1) {
            out.add(label + ": default.topic.partitions must be a positive integer string");
        }
        if (replication < 3) {
            out.add(label + ": default.topic.replication.factor must be at least 3 for a durable broker");
        }
        int minInSync = positive(data.get("default.topic.config.min.insync.replicas"));
        if (minInSync < 2 || minInSync >= replication) {
            out.add(label + ": default.topic.config.min.insync.replicas must be at least 2 and below the"
                    + " replication factor, so an acknowledged event survives the loss of a Kafka broker");
        }
        return out;
    }

    private static int positive(Object value) {
        if (!(value instanceof String s) || !s.matches("[1-9]\\d{0,5}")) {
            return -1;
        }
        return Integer.parseInt(s);
    }

    @Test
    void everyRenderedObjectValidatesStrictlyAndTheKustomizationListsEveryFile() throws IOException {
        assertThat(rendered).isNotEmpty();
        for (Manifest m : rendered) {
            assertThat(ManifestValidator.shared().validate(m.content())).as("rendered " + m.kind() + "/" + m.name())
                    .isEmpty();
        }
        List<Manifest> kustomization = Manifests.parse(overlay.resolve("kustomization.yaml"));
        assertThat(ManifestValidator.shared().validate(kustomization.get(0).content())).isEmpty();
        List<String> listed = new ArrayList<>(KnativeManifestSchemaTest.listOfStrings(
                kustomization.get(0).content().get("resources")));
        KnativeManifestSchemaTest.listOfMaps(kustomization.get(0).content().get("patches"))
                .forEach(p -> listed.add(String.valueOf(p.get("path"))));
        try (Stream<Path> files = Files.list(overlay)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> !n.equals("kustomization.yaml")))
                    .as("files of overlays/kafka-broker/ the kustomization names").allMatch(listed::contains);
        }
    }

    @Test
    void theBrokerIsADurableKafkaBrokerWithItsTopicConfig() {
        assertThat(kafkaBroker(rendered)).isEmpty();
    }

    @Test
    void onlyTheBrokerAndItsConfigMapDifferFromTheBase() {
        Map<String, Map<String, Object>> baseByKey = new HashMap<>();
        base.forEach(m -> baseByKey.put(m.kind() + "/" + m.name(), m.content()));
        List<String> changed = new ArrayList<>();
        for (Manifest m : rendered) {
            String key = m.kind() + "/" + m.name();
            if (!m.content().equals(baseByKey.remove(key))) {
                changed.add(key);
            }
        }
        assertThat(changed).containsExactlyInAnyOrder("Broker/relay", "ConfigMap/relay-kafka-broker-config");
        assertThat(baseByKey).as("objects of the base missing from the overlay").isEmpty();
        Manifest broker = rendered.stream().filter(m -> m.kind().equals("Broker")).findFirst().orElseThrow();
        Manifest baseBroker = base.stream().filter(m -> m.kind().equals("Broker")).findFirst().orElseThrow();
        assertThat(path(broker.content(), "spec", "delivery")).as("retries and dead letters as in the base")
                .isEqualTo(path(baseBroker.content(), "spec", "delivery"));
    }

    // --- negative controls ------------------------------------------------------------------------------------

    static List<Manifest> with(String kind, Consumer<Map<String, Object>> change) {
        List<Manifest> out = new ArrayList<>();
        for (Manifest m : rendered) {
            Map<String, Object> content = Manifests.deepCopy(m.content());
            if (m.kind().equals(kind) && !m.name().equals("relay-config")) {
                change.accept(content);
            }
            out.add(new Manifest(m.file(), m.index(), content));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> doc, String... keys) {
        Map<String, Object> cur = doc;
        for (String k : keys) {
            cur = (Map<String, Object>) cur.get(k);
        }
        return cur;
    }

    static void violates(List<Manifest> docs, String... fragments) {
        assertThat(kafkaBroker(docs)).anySatisfy(v -> assertThat(v).contains(fragments));
    }

    @Test
    void theChannelBasedClassOrAMissingConfigMapFails() {
        violates(with("Broker", b -> map(b, "metadata", "annotations").put(CLASS_ANNOTATION, "MTChannelBasedBroker")),
                CLASS_ANNOTATION);
        violates(with("Broker", b -> map(b, "spec", "config").put("name", "kafka-broker-config")),
                "which the overlay does not hold");
        violates(with("Broker", b -> map(b, "spec").remove("config")), "spec.config");
    }

    @Test
    void anUnreplicatedTopicOrABadSettingFails() {
        violates(with("ConfigMap", c -> map(c, "data").put("default.topic.replication.factor", "1")), "at least 3");
        violates(with("ConfigMap", c -> map(c, "data").put("default.topic.config.min.insync.replicas", "3")),
                "min.insync.replicas");
        violates(with("ConfigMap", c -> map(c, "data").remove("bootstrap.servers")), "bootstrap.servers");
        violates(with("ConfigMap", c -> map(c, "data").put("default.topic.partitons", "10")),
                "default.topic.partitons is not a Kafka broker setting");
        violates(with("ConfigMap", c -> map(c, "data").put("default.topic.partitions", "ten")),
                "default.topic.partitions");
    }
}
