package dev.relay.tests.local;

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
import dev.relay.tests.observability.PrometheusScrape;
import dev.relay.tests.support.BrokerEventLog;
import dev.relay.tests.support.ChainFixtures;
import dev.relay.tests.support.KubeletStandIn;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
 * A cluster build in relay-local, completed by events instead of waits: a signed GitHub push creates the Kaniko Job;
 * a kubelet stand-in finishes it (the digest as its termination message) and its completion, in Knative's
 * ApiServerSource format, is posted to the embedded broker, which routes it by {@code triggers/} to on-push-build →
 * {@code image.pushed} with the digest and the commit's time → on-image-scan creates the Trivy Job and answers
 * {@code scan.started} → the stand-in finishes it printing a real Trivy golden report → its completion →
 * {@code scan.passed} → the bump commit records {@code Relay-Source-Commit-Time}. A redelivered completion answers the
 * same event and bumps nothing. The pinned image then rolls out in development (the pipeline's last environment) and
 * its verification is a DORA deployment whose lead time is known: {@code /actuator/prometheus}, scraped before and
 * after, counts it with the source commit's time and no unknown lead time. A failed build ends in {@code build.failed}.
 */
@SpringBootTest(classes = {RelayLocalApplication.class, ClusterCompletionChainE2E.MockCluster.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false", "relay.ingress.providers.github.secret=gh-test-secret",
                "relay.ingress.providers.gitlab.secret=gl-test-token"})
class ClusterCompletionChainE2E {

    private static final KubeletStandIn KUBELET = KubeletStandIn.start();
    private static final Path WORK = ChainFixtures.tempDir("relay-completions");
    private static final String NAMESPACE = "relay-builds";
    private static final String IMAGE = "registry.example.com/team/hello-world";
    private static final String OVERLAY = "apps/hello-world/overlays/development/kustomization.yaml";
    private static final Path REMOTE = TempGitRepos.createBare(WORK, "config", Map.of(OVERLAY, """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - ../../base
            images:
              - name: registry.example.com/team/hello-world
                newTag: "0.1.0"
            """));
    private static final String COMMIT = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private static final String COMMIT_TIME = "2019-05-15T15:19:25Z";
    private static final String DIGEST = "sha256:" + "5e".repeat(32);
    private static final String VERIFY_NAMESPACE = "hello-world-development";

    @LocalServerPort
    int port;

    @TestConfiguration
    static class MockCluster {
        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient() {
            return KUBELET.server().createClient();
        }
    }

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        registry.add("relay.git.cache-dir", () -> WORK.resolve("cache").toString());
        pipeline(registry, "hello-world", "https://github.com/Codertocat/Hello-World.git");
        pipeline(registry, "diaspora", "http://example.com/mike/diaspora.git");
    }

    private static void pipeline(DynamicPropertyRegistry registry, String app, String repository) {
        String prefix = "relay.pipelines." + app + ".";
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("image", "registry.example.com/team/" + app);
        properties.put("config-repo.url", TempGitRepos.fileUrl(REMOTE));
        properties.put("environments[0].name", "development");
        properties.put("environments[0].path", "apps/" + app + "/overlays/development/kustomization.yaml");
        properties.put("environments[0].pin-digest", "true");
        properties.put("source.repository", repository);
        properties.put("source.branches[0]", "master");
        properties.put("build.builder", "kaniko");
        properties.put("build.namespace", NAMESPACE);
        properties.put("scan.backend", "trivy-job");
        properties.put("scan.trivy-job.namespace", NAMESPACE);
        properties.put("environments[0].verify.namespace", app + "-development");
        properties.put("environments[0].verify.deadline", "5s");
        properties.put("environments[0].verify.poll-interval", "100ms");
        properties.forEach((key, value) -> registry.add(prefix + key, () -> value));
    }

    @AfterAll
    static void stop() {
        KUBELET.stop();
        TempGitRepos.deleteTree(WORK);
    }

    @Test
    void shouldCarryAPushThroughBuildAndScanCompletionsToADeploymentWhoseLeadTimeIsKnown() throws Exception {
        PrometheusScrape before = scrape();
        byte[] body = fixture("github/push-with-new-branch.payload.json");
        assertThat(webhook(Map.of("Content-Type", "application/json", "X-GitHub-Event", "push",
                "X-GitHub-Delivery", "5d1e2c3a-0b4f-4e11-9a7d-3c2b1a0f9e8d",
                "X-Hub-Signature-256", "sha256=" + hmac("gh-test-secret", body)), body).status()).isEqualTo(200);
        Job build = awaitJob("build-hello-world-6113728f27ae");
        assertThat(build.getMetadata().getAnnotations()).containsEntry("relay.dev/source-commit-time", COMMIT_TIME);

        publish(KubeletStandIn.completion(KUBELET.finish(NAMESPACE, build.getMetadata().getName(), "kaniko", 0,
                DIGEST, null)));

        Map<String, Object> pushed = awaitEvent(RelayEventTypes.IMAGE_PUSHED, e -> DIGEST.equals(data(e).get("digest")));
        assertThat(data(pushed)).containsEntry("image", IMAGE).containsEntry("tag", "6113728")
                .containsEntry("sourceCommit", COMMIT).containsEntry("sourceCommitTime", COMMIT_TIME);
        String scanJob = "scan-hello-world-" + "5e".repeat(6);
        awaitEvent(RelayEventTypes.SCAN_STARTED, e -> scanJob.equals(data(e).get("job")));
        Job scan = awaitJob(scanJob);

        CloudEvent scanned = KubeletStandIn.completion(KUBELET.finish(NAMESPACE, scan.getMetadata().getName(), "trivy",
                0, null, golden("alpine-310.json.golden")));
        publish(scanned);

        Map<String, Object> passed = awaitEvent(RelayEventTypes.SCAN_PASSED, e -> DIGEST.equals(data(e).get("digest")));
        assertThat(data(passed)).containsEntry("sourceCommitTime", COMMIT_TIME).containsEntry("sourceCommit", COMMIT);
        await().atMost(Duration.ofSeconds(60)).until(() -> manifest().contains(DIGEST));
        assertThat(TempGitRepos.trailerValues(REMOTE, "main", "Relay-Source-Commit-Time")).containsExactly(COMMIT_TIME);
        String bump = TempGitRepos.log(REMOTE, "main").get(0).getName();
        int commits = TempGitRepos.log(REMOTE, "main").size();

        // The completion again (a redelivery, or the source re-listing after a restart): the same scan.passed, no bump.
        publish(KubeletStandIn.completion(scan));
        publish(scanned);
        await().atMost(Duration.ofSeconds(60)).until(() -> count(RelayEventTypes.MANIFEST_UNCHANGED) >= 1);
        assertThat(events().stream().filter(e -> RelayEventTypes.SCAN_PASSED.equals(e.get("type")))
                .map(e -> e.get("id")).distinct()).containsExactly(passed.get("id"));
        assertThat(TempGitRepos.log(REMOTE, "main")).hasSize(commits);
        assertThat(jobs()).filteredOn(j -> "hello-world".equals(j.getMetadata().getLabels().get("relay.dev/app")))
                .extracting(j -> j.getMetadata().getName())
                .containsExactlyInAnyOrder("build-hello-world-6113728f27ae", scanJob);

        // The bump rolls out in development, the last environment: its first verification is a DORA deployment.
        rollOut("hello-world", IMAGE + "@" + DIGEST);
        publish(CloudEventHttp.event(RelayEventTypes.SYNC_SUCCEEDED,
                        new Payloads.SyncSucceeded("hello-world", "development", bump, "argocd"))
                .withId("sync-development-" + bump).withExtension(RelayExtensions.APP, "hello-world").build());
        awaitEvent(RelayEventTypes.VERIFY_PASSED, e -> "development".equals(data(e).get("environment"))
                && DIGEST.equals(data(e).get("digest")));
        RevCommit verification = TempGitRepos.log(REMOTE, "main").get(0);
        assertThat(verification.getFooterLines("Relay-Verified-Digest")).containsExactly(DIGEST);
        PrometheusScrape after = scrape();
        Map<String, String> app = Map.of("app", "hello-world");
        assertThat(delta(before, after, "relay_dora_deployments_total", app)).isEqualTo(1);
        assertThat(delta(before, after, "relay_dora_lead_time_seconds_count", app)).isEqualTo(1);
        assertThat(delta(before, after, "relay_dora_lead_time_unknown_total", app))
                .as("the Kaniko build's source commit time reached the bump").isZero();
        long leadTime = verification.getCommitTime() - Instant.parse(COMMIT_TIME).getEpochSecond();
        assertThat(leadTime).isPositive();
        assertThat(delta(before, after, "relay_dora_lead_time_seconds_sum", app))
                .as("from the pushed commit's time to the verification commit").isCloseTo(leadTime, within(1.0));
    }

    @Test
    void shouldEndAFailedBuildInBuildFailedWithItsLogAndBumpNothing() throws Exception {
        byte[] body = fixture("gitlab/push-event.json");
        assertThat(webhook(Map.of("Content-Type", "application/json", "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Event-UUID", "0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5", "X-Gitlab-Token", "gl-test-token"),
                body).status()).isEqualTo(200);
        Job build = awaitJob("build-diaspora-da1560886d4f");
        assertThat(build.getMetadata().getAnnotations()).containsEntry("relay.dev/source-commit-time",
                "2012-01-03T21:36:29Z");

        publish(KubeletStandIn.completion(KUBELET.finish(NAMESPACE, build.getMetadata().getName(), "kaniko", 1, null,
                "INFO[0001] Retrieving image manifest alpine:3.9\nerror building image: error building stage:"
                        + " failed to execute command: exit status 2\n")));

        Map<String, Object> failed = awaitEvent(RelayEventTypes.BUILD_FAILED,
                e -> "build-diaspora-da1560886d4f".equals(data(e).get("job")));
        assertThat((String) data(failed).get("reason")).contains("BackoffLimitExceeded");
        @SuppressWarnings("unchecked")
        List<String> tail = (List<String>) data(failed).get("logTail");
        assertThat(tail).last().asString().contains("exit status 2");
        assertThat(events()).noneMatch(e -> RelayEventTypes.IMAGE_PUSHED.equals(e.get("type"))
                && "diaspora".equals(extensions(e).get("relayapp")));
        assertThat(TempGitRepos.read(REMOTE, "main", "apps/diaspora/overlays/development/kustomization.yaml"))
                .isEmpty();
    }

    /** A Deployment whose rollout is complete and its one ready pod, running {@code image}, where verify looks. */
    private static void rollOut(String app, String image) {
        try (KubernetesClient client = KUBELET.server().createClient()) {
            client.apps().deployments().inNamespace(VERIFY_NAMESPACE).resource(new DeploymentBuilder()
                    .withNewMetadata().withName(app).withNamespace(VERIFY_NAMESPACE).withGeneration(1L).endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", app).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec()
                    .addNewContainer().withName(app).withImage(image).endContainer()
                    .endSpec().endTemplate().endSpec()
                    .withNewStatus().withObservedGeneration(1L).withReplicas(1).withUpdatedReplicas(1)
                    .withReadyReplicas(1).withAvailableReplicas(1).endStatus().build()).create();
            client.pods().inNamespace(VERIFY_NAMESPACE).resource(new PodBuilder()
                    .withNewMetadata().withName(app + "-5e5e5e").withNamespace(VERIFY_NAMESPACE)
                    .addToLabels("app", app).endMetadata()
                    .withNewSpec().addNewContainer().withName(app).withImage(image).endContainer().endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .withContainerStatuses(new ContainerStatusBuilder().withName(app).withReady(true)
                            .withImage(image).withImageID(image).build())
                    .endStatus().build()).create();
        }
    }

    private PrometheusScrape scrape() {
        CloudEventHttp.Answer answer = CloudEventHttp.get(URI.create(base() + "/actuator/prometheus"));
        assertThat(answer.status()).isEqualTo(200);
        return PrometheusScrape.parse(answer.text());
    }

    private static double delta(PrometheusScrape before, PrometheusScrape after, String name,
            Map<String, String> labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private Job awaitJob(String name) {
        await().atMost(Duration.ofSeconds(60)).until(() -> jobs().stream()
                .anyMatch(j -> name.equals(j.getMetadata().getName())));
        return jobs().stream().filter(j -> name.equals(j.getMetadata().getName())).findFirst().orElseThrow();
    }

    private List<Job> jobs() {
        try (KubernetesClient client = KUBELET.server().createClient()) {
            return client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems();
        }
    }

    private String manifest() {
        return TempGitRepos.read(REMOTE, "main", OVERLAY).orElseThrow();
    }

    private void publish(CloudEvent event) {
        assertThat(CloudEventHttp.post(URI.create(base() + "/broker"), event).status()).isEqualTo(202);
    }

    private Map<String, Object> awaitEvent(String type, Predicate<Map<String, Object>> matching) {
        await().atMost(Duration.ofSeconds(60)).until(() -> events().stream()
                .anyMatch(e -> type.equals(e.get("type")) && matching.test(e)));
        return events().stream().filter(e -> type.equals(e.get("type")) && matching.test(e)).findFirst()
                .orElseThrow();
    }

    private long count(String type) {
        return events().stream().filter(e -> type.equals(e.get("type"))).count();
    }

    private List<Map<String, Object>> events() {
        return BrokerEventLog.events(base(), 500);
    }

    private CloudEventHttp.Answer webhook(Map<String, String> headers, byte[] body) {
        return CloudEventHttp.postRaw(URI.create(base() + "/webhooks"), headers, body);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static byte[] fixture(String path) throws IOException {
        try (InputStream in = ClusterCompletionChainE2E.class.getResourceAsStream("/webhooks/" + path)) {
            return in.readAllBytes();
        }
    }

    private static String golden(String name) {
        try (InputStream in = ClusterCompletionChainE2E.class.getResourceAsStream("/trivy/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
