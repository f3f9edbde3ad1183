package dev.relay.tests.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import dev.relay.shared.tracing.TraceParent;
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
 * One change is one trace across the GitOps sync: image.pushed with a {@code traceparent} → scan → bump development
 * (the commit records {@code Relay-Traceparent}) → an Argo CD sync notification, which carries no trace of the
 * change → verify → promotion bump of staging. Every event of the change on the broker carries that one trace id;
 * the sync notification itself is in a trace of its own.
 */
@SpringBootTest(classes = {RelayLocalApplication.class, TraceThroughSyncE2E.MockCluster.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false", "relay.ingress.providers.argocd.secret=argo-token"})
class TraceThroughSyncE2E {

    private static final KubernetesMockServer CLUSTER = ChainFixtures.startCrudCluster();
    private static final Path WORK = ChainFixtures.tempDir("relay-trace-sync");
    private static final List<String> ENVIRONMENTS = List.of("development", "staging");
    private static final Path REMOTE = TempGitRepos.createBare(WORK, "config", overlays());
    private static final String IMAGE = "registry.example.com/team/web-app";
    private static final String DIGEST = "sha256:" + "d4".repeat(32);
    private static final String TRACE_ID = "9a8b7c6d5e4f30211203f4e5d6c7b8a9";
    private static final String PUSH_SPAN_ID = "0f1e2d3c4b5a6978";
    private static final String CHANGE = "push-web-app-3-1-0";

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
    static void pipeline(DynamicPropertyRegistry registry) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("relay.git.cache-dir", WORK.resolve("cache").toString());
        ChainFixtures.verifiedPipeline(properties, "web-app", IMAGE, TempGitRepos.fileUrl(REMOTE), ENVIRONMENTS,
                TraceThroughSyncE2E::overlayPath, ChainFixtures.trivyPrinting(WORK, "alpine-310.json.golden"));
        properties.forEach((key, value) -> registry.add(key, () -> value));
    }

    @AfterAll
    static void stop() {
        CLUSTER.destroy();
        TempGitRepos.deleteTree(WORK);
    }

    @Test
    void shouldKeepOneTraceFromThePushThroughTheSyncToThePromotion() {
        assertThat(CloudEventHttp.post(URI.create(base() + "/broker"), CloudEventHttp.event(
                        RelayEventTypes.IMAGE_PUSHED, new Payloads.ImagePushed(IMAGE, "3.1.0", DIGEST,
                                "registry.example.com", null))
                .withId(CHANGE).withExtension(RelayExtensions.TRACE, CHANGE)
                .withExtension(RelayExtensions.APP, "web-app")
                .withExtension(RelayExtensions.TRACEPARENT, "00-" + TRACE_ID + "-" + PUSH_SPAN_ID + "-01").build())
                .status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> manifest("development").contains(DIGEST));
        RevCommit bump = TempGitRepos.log(REMOTE, "main").get(0);
        assertThat(bump.getFooterLines("Relay-Traceparent")).singleElement()
                .satisfies(value -> assertThat(TraceParent.parse(value)).get()
                        .extracting(TraceParent::traceId).isEqualTo(TRACE_ID));

        syncDevelopment(bump.getName());

        await().atMost(Duration.ofSeconds(60)).until(() -> manifest("staging").contains(DIGEST));
        await().atMost(Duration.ofSeconds(30)).until(() -> change().stream().anyMatch(isBumpOf("staging")));
        List<Map<String, Object>> change = change();
        assertThat(change).extracting(e -> e.get("type")).containsExactly(RelayEventTypes.IMAGE_PUSHED,
                RelayEventTypes.SCAN_PASSED, RelayEventTypes.MANIFEST_BUMPED, RelayEventTypes.VERIFY_PASSED,
                RelayEventTypes.MANIFEST_BUMPED);
        List<TraceParent> traceParents = change.stream().map(TraceThroughSyncE2E::traceParentOf).toList();
        assertThat(traceParents).extracting(TraceParent::traceId).as("one trace from push to promotion")
                .containsOnly(TRACE_ID);
        assertThat(traceParents).extracting(TraceParent::parentId).doesNotHaveDuplicates();

        Map<String, Object> sync = events().stream()
                .filter(e -> RelayEventTypes.SYNC_SUCCEEDED.equals(e.get("type"))).findFirst().orElseThrow();
        assertThat(traceParentOf(sync).traceId()).as("the sync notification starts a trace of its own")
                .isNotEqualTo(TRACE_ID);
        RevCommit promotion = TempGitRepos.log(REMOTE, "main").get(0);
        assertThat(promotion.getShortMessage()).isEqualTo("bump(web-app/staging): 0.1.0 -> 3.1.0");
        assertThat(promotion.getFooterLines("Relay-Traceparent")).singleElement()
                .satisfies(value -> assertThat(value).contains(TRACE_ID));
    }

    /** Argo CD reports development synced and healthy at {@code revision}; the mock cluster runs the new image. */
    private void syncDevelopment(String revision) {
        String namespace = "web-app-development";
        try (KubernetesClient client = CLUSTER.createClient()) {
            client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("web-app").withNamespace(namespace).withGeneration(1L).endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web-app").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "web-app").endMetadata().withNewSpec()
                    .addNewContainer().withName("web-app").withImage(IMAGE + "@" + DIGEST).endContainer()
                    .endSpec().endTemplate().endSpec()
                    .withNewStatus().withObservedGeneration(1L).withReplicas(1).withUpdatedReplicas(1)
                    .withReadyReplicas(1).withAvailableReplicas(1).endStatus().build()).createOr(r -> r.update());
            client.pods().inNamespace(namespace).resource(new PodBuilder()
                    .withNewMetadata().withName("web-app-3-1-0").withNamespace(namespace)
                    .addToLabels("app", "web-app").endMetadata()
                    .withNewSpec().addNewContainer().withName("web-app").withImage(IMAGE + "@" + DIGEST).endContainer()
                    .endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .withContainerStatuses(new ContainerStatusBuilder().withName("web-app").withReady(true)
                            .withImage(IMAGE + "@" + DIGEST).withImageID(IMAGE + "@" + DIGEST).build())
                    .endStatus().build()).createOr(r -> r.update());
        }
        String body = """
                {"source":"argocd","event":"sync-succeeded","application":"web-app-development","namespace":"argocd",\
                "revision":"%s","syncStatus":"Synced","healthStatus":"Healthy","relayApp":"web-app",\
                "relayEnvironment":"development","finishedAt":"2026-11-25T10:15:32Z"}""".formatted(revision);
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(URI.create(base() + "/webhooks/argocd"),
                Map.of("Content-Type", "application/json", "Authorization", "Bearer argo-token"),
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    }

    private static Predicate<Map<String, Object>> isBumpOf(String environment) {
        return e -> RelayEventTypes.MANIFEST_BUMPED.equals(e.get("type"))
                && environment.equals(extensions(e).get(RelayExtensions.ENVIRONMENT));
    }

    /** The events of the change on the broker, oldest first. */
    private List<Map<String, Object>> change() {
        return events().stream().filter(e -> CHANGE.equals(extensions(e).get(RelayExtensions.TRACE))).toList();
    }

    private List<Map<String, Object>> events() {
        return BrokerEventLog.events(base(), 500);
    }

    private static TraceParent traceParentOf(Map<String, Object> event) {
        return TraceParent.parse(extensions(event).get(RelayExtensions.TRACEPARENT)).orElseThrow(() ->
                new AssertionError(event.get("type") + " carries no valid traceparent: " + extensions(event)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> extensions(Map<String, Object> event) {
        return event.get("extensions") instanceof Map<?, ?> map ? (Map<String, String>) map : Map.of();
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static String manifest(String environment) {
        return TempGitRepos.read(REMOTE, "main", overlayPath(environment)).orElseThrow();
    }

    private static String overlayPath(String environment) {
        return "apps/web-app/overlays/" + environment + "/kustomization.yaml";
    }

    private static Map<String, String> overlays() {
        Map<String, String> files = new HashMap<>();
        for (String environment : ENVIRONMENTS) {
            files.put(overlayPath(environment), """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    images:
                      - name: %s
                        newTag: "0.1.0"
                    """.formatted(IMAGE));
        }
        return files;
    }
}
