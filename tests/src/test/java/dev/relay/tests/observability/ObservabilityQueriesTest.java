package dev.relay.tests.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.kubernetes.KubernetesErrors;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code knative/observability/}: the Grafana dashboard parses, the PrometheusRule has the shape the Prometheus
 * Operator accepts, and every query in both names only metrics Relay exports. The exported names are scraped from
 * {@code /actuator/prometheus} of relay-local started in-process after one event went through the broker and a
 * function; the few metrics registered lazily on paths too costly to drive here are in {@link #LAZY}. The DORA
 * metrics are registered at zero for every configured app when the functions start, so one pipeline is configured
 * (its config repository is never read).
 */
@SpringBootTest(classes = RelayLocalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false",
                "relay.pipelines.observed.image=registry.example.com/team/observed",
                "relay.pipelines.observed.config-repo.url=file:///nonexistent/config.git",
                "relay.pipelines.observed.environments[0].name=staging",
                "relay.pipelines.observed.environments[0].path=apps/observed/staging.yaml",
                "relay.pipelines.observed.environments[1].name=production",
                "relay.pipelines.observed.environments[1].path=apps/observed/production.yaml"})
class ObservabilityQueriesTest {

    /**
     * Metrics registered only when their function reaches a verdict (a scan backend, a cluster to verify, a rollback
     * with a config repository): Prometheus name → the class that registers it (its source must name the meter).
     */
    static final Map<String, String> LAZY = Map.of(
            "relay_scan_verdicts_total", "functions/on-image-scan/src/main/java/dev/relay/scan/ScanMetrics.java",
            "relay_scan_findings_total", "functions/on-image-scan/src/main/java/dev/relay/scan/ScanMetrics.java",
            "relay_verify_checks_total", "functions/on-sync-verify/src/main/java/dev/relay/verify/VerifyMetrics.java",
            "relay_rollbacks_total", "functions/on-metric-rollback/src/main/java/dev/relay/rollback/RollbackMetrics.java");

    @LocalServerPort
    int port;

    @Test
    void everyDashboardAndAlertQueryNamesAnExportedMetric() throws IOException {
        Path dir = repoRoot().resolve("knative/observability");
        Map<String, Object> dashboard = json(dir.resolve("relay-dashboard.json"));
        Map<String, Object> rule = prometheusRule(dir.resolve("prometheus-rule.yaml"));

        Set<String> exported = exportedMetricNames();

        Map<String, String> queries = new LinkedHashMap<>(PromQlMetricNames.dashboardQueries(dashboard));
        queries.putAll(PromQlMetricNames.ruleQueries(rule));
        assertThat(PromQlMetricNames.problems(queries, exported)).as("queries naming metrics Relay does not export")
                .isEmpty();
        assertThat(PromQlMetricNames.panels(dashboard)).as("dashboard panels").hasSizeGreaterThanOrEqualTo(8)
                .allSatisfy(p -> assertThat((List<?>) p.get("targets")).as("targets of " + p.get("title")).isNotEmpty());
        assertThat(PromQlMetricNames.ruleQueries(rule).keySet()).as("alerts").contains(
                "rule relay.dead-letters/RelayEventsFailing", "rule relay.dead-letters/RelayDeadLetters",
                "rule relay.scan/RelayScanErrors", "rule relay.gitops/RelayGitPushRetriesExhausted");
    }

    /** Scrapes relay-local after one event through the broker and one straight to a function. */
    private Set<String> exportedMetricNames() throws IOException {
        CloudEvent event = CloudEventHttp.event(RelayEventTypes.SCAN_PASSED,
                        new Payloads.Scan("registry.example.com/team/nobody", "1.0.0", "sha256:" + "c3".repeat(32),
                                new Payloads.SeverityCounts(0, 0, 0, 0, 0), "default", List.of(), null, null))
                .withExtension(RelayExtensions.APP, "nobody").build();
        CloudEventHttp.post(URI.create(base() + "/on-scan-pass-bump"), event);
        assertThat(CloudEventHttp.post(URI.create(base() + "/broker"), event).status()).isEqualTo(202);
        // relay_kubernetes_api_errors_total: counted in Micrometer's global registry, which Boot's registry joins
        KubernetesErrors.translate(new KubernetesClientException("test", 503, null), "observability-test", "get",
                "pods", "relay");

        Set<String> exported = new TreeSet<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            exported.clear();
            exported.addAll(scrape());
            assertThat(exported).contains("relay_events_total", "relay_event_duration_seconds_bucket",
                    "relay_broker_deliveries_total", "relay_kubernetes_api_errors_total",
                    "relay_dora_deployments_total", "relay_dora_lead_time_seconds_bucket",
                    "relay_dora_lead_time_unknown_total", "relay_dora_rollbacks_total",
                    "relay_dora_time_to_restore_seconds_bucket", "relay_dora_time_to_restore_unknown_total");
        });
        for (Map.Entry<String, String> lazy : LAZY.entrySet()) {
            String source = Files.readString(repoRoot().resolve(lazy.getValue()), StandardCharsets.UTF_8);
            String meter = lazy.getKey().replaceFirst("_total$", "").replace('_', '.');
            assertThat(source).as(lazy.getValue() + " registers " + meter).contains("\"" + meter + "\"");
            exported.add(lazy.getKey());
        }
        return exported;
    }

    private Set<String> scrape() {
        CloudEventHttp.Answer answer = CloudEventHttp.get(URI.create(base() + "/actuator/prometheus"));
        assertThat(answer.status()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        for (String line : new String(answer.body(), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            names.add(line.split("[{ ]", 2)[0]);
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(Path file) throws IOException {
        return EventPayloads.mapper().readValue(Files.readString(file, StandardCharsets.UTF_8), Map.class);
    }

    /** The single document of the file, checked strictly against the PrometheusRule shape Relay uses. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> prometheusRule(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        List<Object> docs = new java.util.ArrayList<>();
        new Yaml(new SafeConstructor(options)).loadAll(Files.readString(file, StandardCharsets.UTF_8))
                .forEach(d -> {
                    if (d != null) {
                        docs.add(d);
                    }
                });
        assertThat(docs).as(file + " documents").hasSize(1);
        Map<String, Object> rule = (Map<String, Object>) docs.get(0);
        assertThat(rule).containsOnlyKeys("apiVersion", "kind", "metadata", "spec")
                .containsEntry("apiVersion", "monitoring.coreos.com/v1").containsEntry("kind", "PrometheusRule");
        Map<String, Object> metadata = (Map<String, Object>) rule.get("metadata");
        assertThat(metadata).containsKeys("name").containsEntry("namespace", "relay");
        assertThat(metadata.keySet()).isSubsetOf("name", "namespace", "labels", "annotations");
        Map<String, Object> spec = (Map<String, Object>) rule.get("spec");
        assertThat(spec).containsOnlyKeys("groups");
        for (Object g : (List<Object>) spec.get("groups")) {
            Map<String, Object> group = (Map<String, Object>) g;
            assertThat(group).containsKeys("name", "rules");
            assertThat(group.keySet()).isSubsetOf("name", "interval", "rules");
            for (Object r : (List<Object>) group.get("rules")) {
                Map<String, Object> ruleEntry = (Map<String, Object>) r;
                assertThat(ruleEntry).as("rule " + ruleEntry).containsKeys("alert", "expr", "labels", "annotations");
                assertThat(ruleEntry.keySet()).isSubsetOf("alert", "expr", "for", "labels", "annotations");
                assertThat(ruleEntry.get("expr")).isInstanceOf(String.class);
                if (ruleEntry.containsKey("for")) {
                    assertThat(String.valueOf(ruleEntry.get("for"))).matches("\\d+[smh]");
                }
                assertThat((Map<String, Object>) ruleEntry.get("labels")).containsKey("severity");
                assertThat((Map<String, Object>) ruleEntry.get("annotations")).containsKey("summary");
            }
        }
        return rule;
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("knative/observability")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no knative/observability/ above " + Path.of("").toAbsolutePath());
    }
}
