package dev.relay.tests.local;

import static dev.relay.tests.support.BrokerEventLog.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.ledger.RollbackHolds;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import dev.relay.tests.support.BrokerEventLog;
import dev.relay.tests.support.ChainFixtures;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
 * The whole chain in relay-local, through the embedded broker and webhook-ingress: image.pushed → scan (trivy-cli on
 * a real Trivy golden report) → bump development → Argo CD sync notification → verify (mock Kubernetes API) →
 * promote to staging → verify → production waits for approval → an unsigned approval, a missing token and an approver
 * not allowed for production change nothing → an authenticated approval on POST /approvals → bump production recording
 * the approver. Then a
 * newer image breaks development: an Alertmanager alert rolls it back to the last verified image and holds it.
 */
@SpringBootTest(classes = {RelayLocalApplication.class, DeliveryChainE2E.MockCluster.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false", "relay.ingress.providers.argocd.secret=argo-token",
                "relay.ingress.providers.alertmanager.secret=am-token"})
class DeliveryChainE2E {

    private static final KubernetesMockServer CLUSTER = ChainFixtures.startCrudCluster();
    private static final Path WORK = ChainFixtures.tempDir("relay-chain");
    private static final List<String> ENVIRONMENTS = List.of("development", "staging", "production");
    private static final Path REMOTE = TempGitRepos.createBare(WORK, "config", overlays());
    private static final String IMAGE = "registry.example.com/team/web-app";
    private static final String DIGEST_A = "sha256:" + "a1".repeat(32);
    private static final String DIGEST_B = "sha256:" + "b2".repeat(32);
    private static final String ALICE_TOKEN = "alice-chain-token-77";
    private static final String BOB_TOKEN = "bob-chain-token-88";

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
        properties.put("relay.approvals.signing-key-file",
                ChainFixtures.secretFile(WORK, "approval-key", "chain-approval-signing-key-42").toString());
        properties.put("relay.ingress.approvers.alice.token-file",
                ChainFixtures.secretFile(WORK, "alice", ALICE_TOKEN).toString());
        properties.put("relay.ingress.approvers.alice.environments", "production");
        properties.put("relay.ingress.approvers.bob.token-file",
                ChainFixtures.secretFile(WORK, "bob", BOB_TOKEN).toString());
        properties.put("relay.ingress.approvers.bob.environments", "staging");
        pipeline(properties, "web-app", ChainFixtures.trivyPrinting(WORK, "alpine-310.json.golden"));
        pipeline(properties, "risky-app", ChainFixtures.trivyPrinting(WORK, "alpine-39-high-critical.json.golden"));
        properties.forEach((key, value) -> registry.add(key, () -> value));
    }

    private static void pipeline(Map<String, String> properties, String app, Path trivy) {
        ChainFixtures.verifiedPipeline(properties, app, "registry.example.com/team/" + app,
                TempGitRepos.fileUrl(REMOTE), ENVIRONMENTS, environment -> overlayPath(app, environment), trivy);
        properties.put("relay.pipelines." + app + ".environments[2].approval", "manual");
    }

    @AfterAll
    static void stop() {
        CLUSTER.destroy();
        TempGitRepos.deleteTree(WORK);
    }

    @Test
    void shouldCarryAnImageFromScanToProductionAndRollBackABadOne() {
        String trace = "push-web-app-1-0-0";
        publish(CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED,
                        new Payloads.ImagePushed(IMAGE, "1.0.0", DIGEST_A, "registry.example.com", null))
                .withId(trace).withExtension(RelayExtensions.APP, "web-app").build());

        Map<String, Object> scan = awaitEvent(RelayEventTypes.SCAN_PASSED, e -> trace.equals(traceOf(e)));
        assertThat(scan).containsEntry("digest", DIGEST_A);
        awaitBump("development", DIGEST_A);

        syncAndVerify("development", "1.0.0", DIGEST_A);
        awaitBump("staging", DIGEST_A);
        syncAndVerify("staging", "1.0.0", DIGEST_A);
        Map<String, Object> pending = awaitEvent(RelayEventTypes.PROMOTION_PENDING,
                e -> "production".equals(data(e).get("environment")));
        assertThat(pending).containsEntry("digest", DIGEST_A).containsEntry("approvalType", "manual");
        assertThat(manifest("production")).doesNotContain(DIGEST_A);

        int beforeApproval = commits();
        CloudEventHttp.Answer forged = CloudEventHttp.post(function("on-scan-pass-bump"),
                CloudEventHttp.event(RelayEventTypes.PROMOTION_APPROVED,
                        new Payloads.PromotionApproved("web-app", "production", DIGEST_A, "mallory"))
                        .withExtension(RelayExtensions.TRACE, trace).build());
        assertThat(forged.status()).isEqualTo(401);
        assertThat(approve(null).status()).isEqualTo(401);
        assertThat(approve("Bearer " + BOB_TOKEN).status()).isEqualTo(403);
        assertThat(commits()).isEqualTo(beforeApproval);
        assertThat(manifest("production")).doesNotContain(DIGEST_A);

        CloudEventHttp.Answer approval = approve("Bearer " + ALICE_TOKEN);
        assertThat(approval.status()).as(approval.text()).isEqualTo(200);
        assertThat(approval.json()).containsEntry("approver", "alice")
                .containsEntry("outcome", RelayEventTypes.MANIFEST_BUMPED);
        awaitBump("production", DIGEST_A);
        assertThat(approve("Bearer " + ALICE_TOKEN).json()).as("a retried approval is the same approval")
                .containsEntry("outcome", RelayEventTypes.MANIFEST_UNCHANGED);
        List<RevCommit> chain = TempGitRepos.log(REMOTE, "main").stream()
                .filter(c -> c.getFullMessage().contains("Relay-App: web-app")).toList();
        assertThat(chain).extracting(RevCommit::getShortMessage).containsExactly(
                "bump(web-app/production): 0.1.0 -> 1.0.0", "verified(web-app/staging): 1.0.0",
                "bump(web-app/staging): 0.1.0 -> 1.0.0", "verified(web-app/development): 1.0.0",
                "bump(web-app/development): 0.1.0 -> 1.0.0");
        assertThat(chain).allSatisfy(c -> assertThat(c.getFooterLines("Relay-Trace")).containsExactly(trace));
        assertThat(chain.get(0).getFooterLines("Relay-Approved-By")).containsExactly("alice");

        publish(CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED,
                        new Payloads.ImagePushed(IMAGE, "2.0.0", DIGEST_B, "registry.example.com", null))
                .withId("push-web-app-2-0-0").withExtension(RelayExtensions.APP, "web-app").build());
        awaitBump("development", DIGEST_B);
        int beforeRollback = commits();

        CloudEventHttp.Answer alert = alert("HighErrorRate", "fp-1");
        assertThat(alert.status()).as(alert.text()).isEqualTo(200);

        Map<String, Object> rollback = awaitEvent(RelayEventTypes.ROLLBACK_COMPLETED, e -> true);
        assertThat(rollback).containsEntry("app", "web-app").containsEntry("environment", "development");
        assertThat(manifest("development")).contains(DIGEST_A).doesNotContain(DIGEST_B);
        assertThat(commits()).isEqualTo(beforeRollback + 1);
        assertThat(TempGitRepos.log(REMOTE, "main").get(0).getShortMessage())
                .isEqualTo("rollback(web-app/development): 2.0.0 -> 1.0.0");
        assertThat(TempGitRepos.read(REMOTE, "main", RollbackHolds.path("web-app", "development")).orElseThrow())
                .contains(DIGEST_B);

        alert("HighErrorRate", "fp-1");
        alert("HighErrorRate", "fp-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> count(RelayEventTypes.ROLLBACK_SKIPPED) >= 1);
        assertThat(commits()).isEqualTo(beforeRollback + 1);

        CloudEventHttp.Answer held = CloudEventHttp.post(function("on-scan-pass-bump"),
                CloudEventHttp.event(RelayEventTypes.SCAN_PASSED, new Payloads.Scan(IMAGE, "2.0.0", DIGEST_B,
                        new Payloads.SeverityCounts(0, 0, 0, 0, 0), "default", List.of(), null, null))
                        .withExtension(RelayExtensions.APP, "web-app").build());
        assertThat(held.ceType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(held.json()).containsEntry("reason", "held");
        assertThat(commits()).isEqualTo(beforeRollback + 1);
    }

    @Test
    void shouldStopTheChainWhenTheScanFails() {
        publish(CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED, new Payloads.ImagePushed(
                        "registry.example.com/team/risky-app", "6.6.6", DIGEST_B, "registry.example.com", null))
                .withId("push-risky-app").withExtension(RelayExtensions.APP, "risky-app").build());

        Map<String, Object> failed = awaitEvent(RelayEventTypes.SCAN_FAILED,
                e -> "push-risky-app".equals(traceOf(e)));

        assertThat((List<?>) failed.get("blocking")).isNotEmpty();
        assertThat(events()).noneMatch(e -> RelayEventTypes.MANIFEST_BUMPED.equals(e.get("type"))
                && "push-risky-app".equals(traceOf(e)));
        assertThat(manifest("development", "risky-app")).doesNotContain(DIGEST_B);
    }

    private void syncAndVerify(String environment, String tag, String digest) {
        String namespace = "web-app-" + environment;
        try (KubernetesClient client = CLUSTER.createClient()) {
            client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("web-app").withNamespace(namespace).withGeneration(1L).endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web-app").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "web-app").endMetadata().withNewSpec()
                    .addNewContainer().withName("web-app").withImage(IMAGE + "@" + digest).endContainer()
                    .endSpec().endTemplate().endSpec()
                    .withNewStatus().withObservedGeneration(1L).withReplicas(1).withUpdatedReplicas(1)
                    .withReadyReplicas(1).withAvailableReplicas(1).endStatus().build()).createOr(r -> r.update());
            client.pods().inNamespace(namespace).resource(new PodBuilder()
                    .withNewMetadata().withName("web-app-" + tag.replace('.', '-')).withNamespace(namespace)
                    .addToLabels("app", "web-app").endMetadata()
                    .withNewSpec().addNewContainer().withName("web-app").withImage(IMAGE + "@" + digest).endContainer()
                    .endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .withContainerStatuses(new ContainerStatusBuilder().withName("web-app").withReady(true)
                            .withImage(IMAGE + "@" + digest).withImageID(IMAGE + "@" + digest).build())
                    .endStatus().build()).createOr(r -> r.update());
        }
        String revision = TempGitRepos.log(REMOTE, "main").get(0).getName();
        String body = """
                {"source":"argocd","event":"sync-succeeded","application":"web-app-%1$s","namespace":"argocd",\
                "revision":"%2$s","syncStatus":"Synced","healthStatus":"Healthy","relayApp":"web-app",\
                "relayEnvironment":"%1$s","finishedAt":"2026-11-25T10:15:32Z"}""".formatted(environment, revision);
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(URI.create(base() + "/webhooks/argocd"),
                Map.of("Content-Type", "application/json", "Authorization", "Bearer argo-token"),
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        awaitEvent(RelayEventTypes.VERIFY_PASSED, e -> environment.equals(data(e).get("environment")));
    }

    private CloudEventHttp.Answer alert(String name, String fingerprint) {
        String body = """
                {"receiver":"relay","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"%1$s",\
                "relay_app":"web-app","relay_environment":"development","severity":"page"},"annotations":\
                {"threshold":"0.99","value":"0.82"},"startsAt":"2026-11-25T10:00:07.123Z",\
                "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph","fingerprint":"%2$s"}],\
                "groupLabels":{"alertname":"%1$s"},"commonLabels":{"alertname":"%1$s"},"commonAnnotations":{},\
                "externalURL":"http://alertmanager:9093","version":"4","groupKey":"{}:{alertname=\\"%1$s\\"}",\
                "truncatedAlerts":0}""".formatted(name, fingerprint);
        return CloudEventHttp.postRaw(URI.create(base() + "/webhooks/alertmanager"),
                Map.of("Content-Type", "application/json", "Authorization", "Bearer am-token"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private void awaitBump(String environment, String digest) {
        await().atMost(Duration.ofSeconds(60)).until(() -> manifest(environment).contains(digest));
    }

    private Map<String, Object> awaitEvent(String type, Predicate<Map<String, Object>> matching) {
        await().atMost(Duration.ofSeconds(60)).until(() -> events().stream()
                .anyMatch(e -> type.equals(e.get("type")) && matching.test(e)));
        return data(events().stream().filter(e -> type.equals(e.get("type")) && matching.test(e)).findFirst()
                .orElseThrow());
    }

    private long count(String type) {
        return events().stream().filter(e -> type.equals(e.get("type"))).count();
    }

    private CloudEventHttp.Answer approve(String authorization) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return CloudEventHttp.postRaw(URI.create(base() + "/approvals"), headers,
                ("{\"app\":\"web-app\",\"environment\":\"production\",\"digest\":\"" + DIGEST_A + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private void publish(CloudEvent event) {
        assertThat(CloudEventHttp.post(URI.create(base() + "/broker"), event).status()).isEqualTo(202);
    }

    private List<Map<String, Object>> events() {
        return BrokerEventLog.events(base(), 500);
    }

    @SuppressWarnings("unchecked")
    private static String traceOf(Map<String, Object> event) {
        return String.valueOf(((Map<String, Object>) event.get("extensions")).get(RelayExtensions.TRACE));
    }

    private URI function(String name) {
        return URI.create(base() + "/" + name);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static String manifest(String environment) {
        return manifest(environment, "web-app");
    }

    private static String manifest(String environment, String app) {
        return TempGitRepos.read(REMOTE, "main", overlayPath(app, environment)).orElseThrow();
    }

    private static int commits() {
        return TempGitRepos.log(REMOTE, "main").size();
    }

    private static String overlayPath(String app, String environment) {
        return "apps/" + app + "/overlays/" + environment + "/kustomization.yaml";
    }

    private static Map<String, String> overlays() {
        Map<String, String> files = new HashMap<>();
        for (String app : List.of("web-app", "risky-app")) {
            for (String environment : ENVIRONMENTS) {
                files.put(overlayPath(app, environment), """
                        # %1$s in %2$s
                        apiVersion: kustomize.config.k8s.io/v1beta1
                        kind: Kustomization
                        resources:
                          - ../../base
                        images:
                          - name: registry.example.com/team/%1$s
                            newTag: "0.1.0"
                        """.formatted(app, environment));
            }
        }
        return files;
    }
}
