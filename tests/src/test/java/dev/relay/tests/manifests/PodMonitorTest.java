package dev.relay.tests.manifests;

import static dev.relay.tests.manifests.ManifestValidator.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.relay.tests.manifests.Manifests.Manifest;

/**
 * {@code knative/monitoring/} (PodMonitor for Prometheus Operator users, {@code kubectl apply -k knative/monitoring/})
 * is valid and actually finds Relay's functions: its selector matches every function's pod template in
 * {@code knative/} and nothing else there, it scrapes the port name Knative gives the function container in the pods
 * it creates, and the path is the actuator endpoint every function exposes.
 */
class PodMonitorTest {

    /** Knative's name for the user container's port in a revision's pods (serving's v1.UserPortName). */
    static final String KNATIVE_USER_PORT = "user-port";

    static Path root;
    static Path dir;
    static List<Manifest> monitoring;
    static List<Manifest> base;

    @BeforeAll
    static void load() throws IOException {
        root = Manifests.repoRoot();
        dir = root.resolve("knative").resolve(Manifests.MONITORING_DIR);
        monitoring = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                monitoring.addAll(Manifests.parse(f));
            }
        }
        base = Manifests.parseAll(List.of(root.resolve("knative")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void monitoringIsAKustomizationOfItsOwnThatListsEveryFileAndValidatesStrictly() throws IOException {
        List<Manifest> kustomizations = monitoring.stream().filter(m -> m.kind().equals("Kustomization")).toList();
        assertThat(kustomizations).hasSize(1);
        Map<String, Object> k = kustomizations.get(0).content();
        assertThat(k.get("namespace")).isEqualTo(KnativeManifestSchemaTest.NAMESPACE);
        assertThat(KnativeManifestSchemaTest.unlistedIn(dir, (List<String>) k.get("resources"))).isEmpty();
        for (Manifest m : monitoring) {
            assertThat(ManifestValidator.shared().validate(m.content())).as(m.label(root)).isEmpty();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void podMonitorSelectsEveryFunctionPodAndScrapesItsActuatorEndpoint() throws IOException {
        Manifest monitor = podMonitor();
        Map<String, Object> matchLabels = (Map<String, Object>) path(monitor.content(), "spec", "selector", "matchLabels");
        assertThat(matchLabels).isNotEmpty();
        assertThat(path(monitor.content(), "spec", "selector", "matchExpressions")).isNull();

        List<String> selected = new ArrayList<>();
        for (Manifest ksvc : KnativeManifestSchemaTest.ofKind(base, KnativeManifestSchemaTest.KSVC, "Service")) {
            Map<String, Object> podLabels = (Map<String, Object>) path(ksvc.content(), "spec", "template", "metadata",
                    "labels");
            if (podLabels != null && podLabels.entrySet().containsAll(matchLabels.entrySet())) {
                selected.add(ksvc.name());
            }
        }
        List<String> functions = functionModules();
        assertThat(selected).as("Knative Services whose pods the PodMonitor selects")
                .containsExactlyInAnyOrderElementsOf(functions);

        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) path(monitor.content(), "spec",
                "podMetricsEndpoints");
        assertThat(endpoints).hasSize(1);
        Map<String, Object> endpoint = endpoints.get(0);
        assertThat(endpoint.get("port")).as("Knative renames the container port in the pods it creates")
                .isEqualTo(KNATIVE_USER_PORT);
        assertThat(endpoint.get("path")).isEqualTo("/actuator/prometheus");
        assertThat(seconds(endpoint.get("scrapeTimeout"))).isLessThanOrEqualTo(seconds(endpoint.get("interval")));
        for (String function : functions) {
            String application = Files.readString(root.resolve("functions").resolve(function)
                    .resolve("src/main/resources/application.yaml"));
            assertThat(application).as(function + " exposes the prometheus actuator endpoint")
                    .containsPattern("include:\\s*[^\\n]*\\bprometheus\\b");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theValidatorRejectsWhatTheOperatorWouldNot() {
        Map<String, Object> original = podMonitor().content();

        Map<String, Object> serviceMonitorField = copy(original);
        ((Map<String, Object>) serviceMonitorField.get("spec")).put("endpoints", List.of(Map.of("port", "http")));
        assertThat(ManifestValidator.shared().validate(serviceMonitorField)).isNotEmpty();

        Map<String, Object> badInterval = copy(original);
        ((List<Map<String, Object>>) path(badInterval, "spec", "podMetricsEndpoints")).get(0).put("interval", "30 seconds");
        assertThat(ManifestValidator.shared().validate(badInterval)).isNotEmpty();

        Map<String, Object> noSelector = copy(original);
        ((Map<String, Object>) noSelector.get("spec")).remove("selector");
        assertThat(ManifestValidator.shared().validate(noSelector)).isNotEmpty();

        Map<String, Object> badMetadata = copy(original);
        ((Map<String, Object>) badMetadata.get("metadata")).put("lables", Map.of("a", "b"));
        assertThat(ManifestValidator.shared().validate(badMetadata)).isNotEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> map) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, deepCopy(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object deepCopy(Object v) {
        if (v instanceof Map<?, ?> m) {
            return copy((Map<String, Object>) m);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(deepCopy(x)));
            return out;
        }
        return v;
    }

    private static Manifest podMonitor() {
        List<Manifest> monitors = monitoring.stream()
                .filter(m -> m.apiVersion().equals("monitoring.coreos.com/v1") && m.kind().equals("PodMonitor")).toList();
        assertThat(monitors).hasSize(1);
        return monitors.get(0);
    }

    /** The function modules that are Knative Services (relay-local is the all-in-one local process). */
    private static List<String> functionModules() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("functions"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("relay-local")).sorted().toList();
        }
    }

    private static long seconds(Object duration) {
        String d = String.valueOf(duration);
        assertThat(d).matches("\\d+[sm]");
        long n = Long.parseLong(d.substring(0, d.length() - 1));
        return d.endsWith("m") ? n * 60 : n;
    }
}
