package dev.relay.tests.observability;

import static dev.relay.tests.support.BrokerEventLog.data;
import static dev.relay.tests.support.BrokerEventLog.extensions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import dev.relay.tests.support.BrokerEventLog;
import dev.relay.tests.support.ChainFixtures;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Acceptance of issue 8's metrics: relay-local (every function and the embedded broker in one process, so its one
 * {@code /actuator/prometheus} is every function's) is scraped before and after a chain, and each counter must have
 * moved by exactly what the chain did. The chain: two images go through scan → development → verify → production →
 * verify (two DORA deployments, each with a known source commit time); the production sync is redelivered (moves no
 * DORA key) and re-reported at a revision newer only by Relay's ledger commit (records and announces nothing); an SLO alert rolls production back to the first image, whose verification restores service (one
 * rollback, one time to restore); the alert is redelivered (moves no DORA key).
 */
@SpringBootTest(classes = {RelayLocalApplication.class, ChainMetricsE2E.MockCluster.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false", "relay.ingress.providers.argocd.secret=argo-token",
                "relay.ingress.providers.alertmanager.secret=am-token"})
class ChainMetricsE2E {

    private static final KubernetesMockServer CLUSTER = ChainFixtures.startCrudCluster();
    private static final Path WORK = ChainFixtures.tempDir("relay-metrics");
    private static final List<String> ENVIRONMENTS = List.of("development", "production");
    private static final String APP = "web-app";
    private static final Path REMOTE = TempGitRepos.createBare(WORK, "config", overlays());
    private static final String IMAGE = "registry.example.com/team/web-app";
    private static final String DIGEST_A = "sha256:" + "a1".repeat(32);
    private static final String DIGEST_B = "sha256:" + "b2".repeat(32);
    /** Source commit times two and one hours ago: the lead times are that plus the chain's own few seconds. */
    private static final Instant SOURCE_A = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    private static final Instant SOURCE_B = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    /** The alert started firing ten minutes ago: the time to restore is that plus the chain's own few seconds. */
    private static final Instant BREACH = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    /** How much of the chain's own run time the durations may include (it takes seconds; the sample is in hours). */
    private static final double SLACK_SECONDS = 600;

    @LocalServerPort
    int port;

    @TestConfiguration
    static class MockCluster {
        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient() {
            return CLUSTER.createClient();
        }
    }

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("relay.git.cache-dir", WORK.resolve("cache").toString());
        ChainFixtures.verifiedPipeline(properties, APP, IMAGE, TempGitRepos.fileUrl(REMOTE), ENVIRONMENTS,
                ChainMetricsE2E::overlayPath, ChainFixtures.trivyPrinting(WORK, "alpine-310.json.golden"));
        properties.forEach((key, value) -> registry.add(key, () -> value));
    }

    @AfterAll
    static void stop() {
        CLUSTER.destroy();
        TempGitRepos.deleteTree(WORK);
    }

    @Test
    void shouldMoveEveryCounterByWhatTheChainDid() {
        PrometheusScrape before = scrape();
        assertThat(before.labelValues("relay_dora_deployments_total", "app"))
                .as("DORA meters are registered at start for every configured app").containsExactly(APP);

        Map<String, Object> scanA = deliver("1.0.0", DIGEST_A, SOURCE_A);
        String syncedB = deliver("2.0.0", DIGEST_B, SOURCE_B).get("productionRevision").toString();
        int commits = commits();

        syncAt("production", syncedB);
        awaitCount(RelayEventTypes.VERIFY_PASSED, "production", 3);
        assertThat(commits()).as("a redelivered sync (same event id) records nothing").isEqualTo(commits);
        sync("production", "2.0.0", DIGEST_B);
        await().atMost(Duration.ofSeconds(60)).until(() -> events(before, scrape(), "on-sync-verify",
                RelayEventTypes.SYNC_SUCCEEDED, "no-answer") >= 1);
        assertThat(commits()).as("a sync of a revision newer only by Relay's ledger commit is the same deployment")
                .isEqualTo(commits);
        assertThat(count(RelayEventTypes.VERIFY_PASSED, "production")).as("and announces nothing").isEqualTo(3);
        PrometheusScrape deployed = scrape();

        assertThat(alert().status()).isEqualTo(200);
        awaitCount(RelayEventTypes.ROLLBACK_COMPLETED, "production", 1);
        assertThat(manifest("production")).contains(DIGEST_A).doesNotContain(DIGEST_B);
        sync("production", "1.0.0", DIGEST_A);
        awaitCount(RelayEventTypes.VERIFY_PASSED, "production", 4);
        int afterRestore = commits();
        assertThat(alert().status()).as("the same alert again").isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> scrape().sum("relay_events_total",
                Map.of("function", "on-metric-rollback", "type", RelayEventTypes.METRIC_BREACHED)) - before.sum(
                "relay_events_total", Map.of("function", "on-metric-rollback")) >= 2);
        assertThat(commits()).as("a redelivered alert rolls nothing back").isEqualTo(afterRestore);
        PrometheusScrape after = scrape();

        Map<String, String> app = Map.of("app", APP);
        // DORA: two deployments with known lead times; redeliveries and the restoring re-verification count nothing
        assertThat(delta(before, deployed, "relay_dora_deployments_total", app)).isEqualTo(2);
        assertThat(delta(before, after, "relay_dora_deployments_total", app)).isEqualTo(2);
        assertThat(delta(before, after, "relay_dora_lead_time_seconds_count", app)).isEqualTo(2);
        assertThat(delta(before, after, "relay_dora_lead_time_unknown_total", app)).isZero();
        assertThat(delta(before, after, "relay_dora_lead_time_seconds_sum", app))
                .as("(now - 2h) and (now - 1h) to their production verifications")
                .isCloseTo(3 * 3600 + SLACK_SECONDS / 2, within(SLACK_SECONDS / 2));
        assertThat(delta(before, after, "relay_dora_lead_time_seconds_bucket", Map.of("app", APP, "le", "3600.0")))
                .as("no lead time is under an hour").isZero();
        assertThat(delta(before, after, "relay_dora_lead_time_seconds_bucket", Map.of("app", APP, "le", "14400.0")))
                .as("both are under four hours").isEqualTo(2);
        assertThat(delta(before, after, "relay_dora_rollbacks_total", app)).isEqualTo(1);
        assertThat(delta(before, after, "relay_dora_time_to_restore_seconds_count", app)).isEqualTo(1);
        assertThat(delta(before, after, "relay_dora_time_to_restore_seconds_sum", app))
                .as("from the alert's startsAt, ten minutes ago, to the restoring verification")
                .isCloseTo(600 + SLACK_SECONDS / 2, within(SLACK_SECONDS / 2));

        // every event the chain handled, by function, type and answer
        assertThat(events(before, after, "on-image-scan", RelayEventTypes.IMAGE_PUSHED,
                RelayEventTypes.SCAN_PASSED)).isEqualTo(2);
        assertThat(events(before, after, "on-scan-pass-bump", RelayEventTypes.SCAN_PASSED,
                RelayEventTypes.MANIFEST_BUMPED)).as("development bumps").isEqualTo(2);
        assertThat(events(before, after, "on-scan-pass-bump", RelayEventTypes.VERIFY_PASSED,
                RelayEventTypes.MANIFEST_BUMPED)).as("promotions to production").isEqualTo(2);
        assertThat(events(before, after, "on-scan-pass-bump", RelayEventTypes.VERIFY_PASSED, "no-answer"))
                .as("production is the last environment: 2 deployments, a redelivery, 1 restore")
                .isEqualTo(4);
        assertThat(events(before, after, "on-sync-verify", RelayEventTypes.SYNC_SUCCEEDED,
                RelayEventTypes.VERIFY_PASSED)).as("2 development, 2 production, a redelivery, 1 restore")
                .isEqualTo(6);
        assertThat(events(before, after, "on-sync-verify", RelayEventTypes.SYNC_SUCCEEDED, "no-answer"))
                .as("the re-sync of the same deployment").isEqualTo(1);
        assertThat(events(before, after, "on-metric-rollback", RelayEventTypes.METRIC_BREACHED,
                RelayEventTypes.ROLLBACK_COMPLETED)).as("the rollback, and its redelivery answered the same")
                .isEqualTo(2);
        assertThat(delta(before, after, "relay_event_duration_seconds_count", Map.of("function", "on-sync-verify")))
                .isEqualTo(7);

        // scan verdicts and findings by severity (low-cardinality labels only)
        assertThat(delta(before, after, "relay_scan_verdicts_total",
                Map.of("outcome", "passed", "backend", "trivy-cli"))).isEqualTo(2);
        @SuppressWarnings("unchecked")
        Map<String, Integer> counts = (Map<String, Integer>) scanA.get("counts");
        for (String severity : List.of("critical", "high", "medium", "low", "unknown")) {
            assertThat(delta(before, after, "relay_scan_findings_total",
                    Map.of("severity", severity, "outcome", "passed")))
                    .as(severity + " findings of two scans of the same report").isEqualTo(2.0 * counts.get(severity));
        }
        assertThat(after.series()).as("no label carries a digest, a commit or an event id")
                .allSatisfy(s -> assertThat(s.labels().values())
                        .noneMatch(v -> v.matches(".*([0-9a-f]{12,}|sha256:).*")));
    }

    /**
     * image.pushed → scan → development → verified → production → verified; answers the scan.passed data and the
     * revision synced in production ({@code productionRevision}).
     */
    private Map<String, Object> deliver(String tag, String digest, Instant sourceCommitTime) {
        String trace = "push-" + tag;
        publish(CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED, new Payloads.ImagePushed(IMAGE, tag, digest,
                        "registry.example.com", "0123456789abcdef0123456789abcdef01234567",
                        sourceCommitTime.toString()))
                .withId(trace).withExtension(RelayExtensions.APP, APP).build());
        awaitBump("development", digest);
        RevCommit bump = TempGitRepos.log(REMOTE, "main").get(0);
        assertThat(bump.getFooterLines("Relay-Source-Commit-Time")).containsExactly(sourceCommitTime.toString());
        int verified = count(RelayEventTypes.VERIFY_PASSED, "production");
        sync("development", tag, digest);
        awaitBump("production", digest);
        String revision = sync("production", tag, digest);
        awaitCount(RelayEventTypes.VERIFY_PASSED, "production", verified + 1);
        Map<String, Object> scan = new HashMap<>(data(events().stream()
                .filter(e -> RelayEventTypes.SCAN_PASSED.equals(e.get("type"))
                        && trace.equals(extensions(e).get(RelayExtensions.TRACE))).findFirst().orElseThrow()));
        scan.put("productionRevision", revision);
        return scan;
    }

    /** Pods run {@code digest}; Argo CD reports the config repository's head as synced. Answers that head. */
    private String sync(String environment, String tag, String digest) {
        String namespace = APP + "-" + environment;
        try (KubernetesClient client = CLUSTER.createClient()) {
            // a fresh Deployment whose rollout is complete (an update would raise generation above observedGeneration)
            client.apps().deployments().inNamespace(namespace).withName(APP).delete();
            client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                    .withNewMetadata().withName(APP).withNamespace(namespace).withGeneration(1L).endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", APP).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", APP).endMetadata().withNewSpec()
                    .addNewContainer().withName(APP).withImage(IMAGE + "@" + digest).endContainer()
                    .endSpec().endTemplate().endSpec()
                    .withNewStatus().withObservedGeneration(1L).withReplicas(1).withUpdatedReplicas(1)
                    .withReadyReplicas(1).withAvailableReplicas(1).endStatus().build()).create();
            client.pods().inNamespace(namespace).withLabel("app", APP).delete();
            client.pods().inNamespace(namespace).resource(new PodBuilder()
                    .withNewMetadata().withName(APP + "-" + tag.replace('.', '-')).withNamespace(namespace)
                    .addToLabels("app", APP).endMetadata()
                    .withNewSpec().addNewContainer().withName(APP).withImage(IMAGE + "@" + digest).endContainer()
                    .endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .withContainerStatuses(new ContainerStatusBuilder().withName(APP).withReady(true)
                            .withImage(IMAGE + "@" + digest).withImageID(IMAGE + "@" + digest).build())
                    .endStatus().build()).createOr(r -> r.update());
        }
        String revision = TempGitRepos.log(REMOTE, "main").get(0).getName();
        syncAt(environment, revision);
        return revision;
    }

    /** Argo CD's sync notification of {@code revision}: the same revision gives the same event id (a redelivery). */
    private void syncAt(String environment, String revision) {
        String body = """
                {"source":"argocd","event":"sync-succeeded","application":"%3$s-%1$s","namespace":"argocd",\
                "revision":"%2$s","syncStatus":"Synced","healthStatus":"Healthy","relayApp":"%3$s",\
                "relayEnvironment":"%1$s","finishedAt":"2026-11-25T10:15:32Z"}""".formatted(environment, revision, APP);
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(URI.create(base() + "/webhooks/argocd"),
                Map.of("Content-Type", "application/json", "Authorization", "Bearer argo-token"),
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    }

    private CloudEventHttp.Answer alert() {
        String body = """
                {"receiver":"relay","status":"firing","alerts":[{"status":"firing",\
                "labels":{"alertname":"HighErrorRate","relay_app":"%1$s","relay_environment":"production",\
                "severity":"page"},"annotations":{"threshold":"0.99","value":"0.82"},"startsAt":"%2$s",\
                "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph","fingerprint":"fp-1"}],\
                "groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{"alertname":"HighErrorRate"},\
                "commonAnnotations":{},"externalURL":"http://alertmanager:9093","version":"4",\
                "groupKey":"{}:{alertname=\\"HighErrorRate\\"}","truncatedAlerts":0}""".formatted(APP, BREACH);
        return CloudEventHttp.postRaw(URI.create(base() + "/webhooks/alertmanager"),
                Map.of("Content-Type", "application/json", "Authorization", "Bearer am-token"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static double delta(PrometheusScrape before, PrometheusScrape after, String name,
            Map<String, String> labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private static double events(PrometheusScrape before, PrometheusScrape after, String function, String type,
            String outcome) {
        return delta(before, after, "relay_events_total", Map.of("function", function, "type", type, "outcome",
                outcome));
    }

    private PrometheusScrape scrape() {
        CloudEventHttp.Answer answer = CloudEventHttp.get(URI.create(base() + "/actuator/prometheus"));
        assertThat(answer.status()).isEqualTo(200);
        return PrometheusScrape.parse(answer.text());
    }

    private void awaitBump(String environment, String digest) {
        await().atMost(Duration.ofSeconds(60)).until(() -> manifest(environment).contains(digest));
    }

    private void awaitCount(String type, String environment, int atLeast) {
        await().atMost(Duration.ofSeconds(60)).until(() -> count(type, environment) >= atLeast);
    }

    private int count(String type, String environment) {
        return (int) events().stream().filter(e -> type.equals(e.get("type"))
                && environment.equals(data(e).get("environment"))).count();
    }

    private void publish(io.cloudevents.CloudEvent event) {
        assertThat(CloudEventHttp.post(URI.create(base() + "/broker"), event).status()).isEqualTo(202);
    }

    private List<Map<String, Object>> events() {
        return BrokerEventLog.events(base(), 500);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static String manifest(String environment) {
        return TempGitRepos.read(REMOTE, "main", overlayPath(environment)).orElseThrow();
    }

    private static int commits() {
        return TempGitRepos.log(REMOTE, "main").size();
    }

    private static String overlayPath(String environment) {
        return "apps/" + APP + "/overlays/" + environment + "/kustomization.yaml";
    }

    private static Map<String, String> overlays() {
        Map<String, String> files = new HashMap<>();
        for (String environment : ENVIRONMENTS) {
            files.put(overlayPath(environment), """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    resources:
                      - ../../base
                    images:
                      - name: %s
                        newTag: "0.1.0"
                    """.formatted(IMAGE));
        }
        return files;
    }
}
