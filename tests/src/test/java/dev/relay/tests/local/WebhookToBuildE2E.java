package dev.relay.tests.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.tests.support.ChainFixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Real GitHub, GitLab and Gitea push payloads, signed as each producer signs, posted to webhook-ingress in
 * relay-local: the embedded broker carries dev.relay.git.pushed to on-push-build, which creates exactly one Kaniko
 * Job per commit in the (mock, CRUD) Kubernetes API; a redelivered webhook creates no second Job.
 */
@SpringBootTest(classes = {RelayLocalApplication.class, WebhookToBuildE2E.MockCluster.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false", "relay.ingress.providers.github.secret=gh-test-secret",
                "relay.ingress.providers.gitlab.secret=gl-test-token",
                "relay.ingress.providers.gitea.secret=gt-test-secret"})
class WebhookToBuildE2E {

    private static final KubernetesMockServer CLUSTER = ChainFixtures.startCrudCluster();
    private static final String NAMESPACE = "relay-builds";

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
        pipeline(registry, "hello-world", "https://github.com/Codertocat/Hello-World.git");
        pipeline(registry, "diaspora", "http://example.com/mike/diaspora.git");
        pipeline(registry, "example", "http://localhost:3000/example/example.git");
        pipeline(registry, "gitea-webhooks", "http://localhost:3000/gitea/webhooks.git", "develop");
    }

    private static void pipeline(DynamicPropertyRegistry registry, String app, String repository) {
        pipeline(registry, app, repository, "master");
    }

    private static void pipeline(DynamicPropertyRegistry registry, String app, String repository, String branch) {
        String prefix = "relay.pipelines." + app + ".";
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("image", "registry.example.com/team/" + app);
        properties.put("config-repo.url", "https://git.example.com/team/config.git");
        properties.put("environments[0].name", "development");
        properties.put("environments[0].path", "apps/" + app + "/overlays/development/kustomization.yaml");
        properties.put("source.repository", repository);
        properties.put("source.branches[0]", branch);
        properties.put("build.builder", "kaniko");
        properties.put("build.namespace", NAMESPACE);
        properties.put("build.kaniko.registry-secret", "relay-registry-credentials");
        properties.put("build.kaniko.resources.requests.cpu", "500m");
        properties.put("build.kaniko.resources.limits.memory", "2Gi");
        properties.forEach((key, value) -> registry.add(prefix + key, () -> value));
    }

    @AfterAll
    static void stopCluster() {
        CLUSTER.destroy();
    }

    @Test
    void shouldBuildAGitHubPushOnceThroughTheChain() throws Exception {
        byte[] body = fixture("github/push-with-new-branch.payload.json");
        Map<String, String> headers = Map.of("Content-Type", "application/json", "X-GitHub-Event", "push",
                "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                "X-Hub-Signature-256", "sha256=" + hmac("gh-test-secret", body));

        assertThat(webhook(headers, body).status()).isEqualTo(200);

        Job job = awaitOneJob("hello-world", "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
        awaitChain("github-72d3162e-cc78-11e3-81ab-4c9367dc0958", job.getMetadata().getName());
        Container kaniko = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(kaniko.getArgs())
                .contains("--destination=registry.example.com/team/hello-world:6113728", "--cache=true")
                .anySatisfy(arg -> assertThat(arg).startsWith("--context=git://github.com/Codertocat/Hello-World.git")
                        .endsWith("#6113728f27ae82c7b1a177c8d03f9e96e0adf246"));
        assertThat(kaniko.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
        assertThat(kaniko.getResources().getLimits().get("memory").toString()).isEqualTo("2Gi");
        assertThat(kaniko.getVolumeMounts()).anySatisfy(mount ->
                assertThat(mount.getMountPath()).isEqualTo("/kaniko/.docker"));
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(volume ->
                assertThat(volume.getSecret().getSecretName()).isEqualTo("relay-registry-credentials"));
        assertThat(job.getMetadata().getLabels()).containsEntry("relay.dev/app", "hello-world")
                .containsEntry("relay.dev/commit", "6113728f27ae82c7b1a177c8d03f9e96e0adf246");

        assertThat(webhook(headers, body).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).until(() -> buildStartedCount("hello-world") >= 2);
        assertThat(jobs("hello-world")).hasSize(1);
    }

    @Test
    void shouldBuildAGitLabPushOnce() throws Exception {
        byte[] body = fixture("gitlab/push-event.json");
        Map<String, String> headers = Map.of("Content-Type", "application/json", "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Event-UUID", "13792a7e-4ad1-4a0c-9ef4-2b3a5b4f8f01", "X-Gitlab-Token", "gl-test-token");

        assertThat(webhook(headers, body).status()).isEqualTo(200);
        awaitOneJob("diaspora", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
        assertThat(webhook(headers, body).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).until(() -> buildStartedCount("diaspora") >= 2);
        assertThat(jobs("diaspora")).hasSize(1);
    }

    @Test
    void shouldBuildAGiteaPushOnceAndRejectAForgedOne() throws Exception {
        byte[] body = fixture("gitea/push-event.json");
        Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/json",
                "X-Gitea-Event", "push", "X-Gitea-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473",
                "X-Gitea-Signature", hmac("gt-test-secret", body)));

        assertThat(webhook(headers, body).status()).isEqualTo(200);
        awaitOneJob("example", "67b56589a45103f891bdee7c0546e5d40bc02001");
        assertThat(webhook(headers, body).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> buildStartedCount("example") >= 2);
        assertThat(jobs("example")).hasSize(1);

        headers.put("X-Gitea-Signature", hmac("not-the-secret", body));
        headers.put("X-Gitea-Delivery", "forged-delivery");
        CloudEventHttp.Answer forged = webhook(headers, body);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.header("content-type")).startsWith("application/problem+json");
        assertThat(events()).noneMatch(e -> "gitea-forged-delivery".equals(e.get("id")));
    }

    /**
     * Gitea's form delivery ({@code payload=<url-encoded JSON>}) is signed over the JSON payload, not the form body
     * (the documented push in ../shared/fixtures/webhooks/gitea, SOURCES-webhooks.md): accepted and built; the same
     * delivery with one changed character in the payload is refused and builds nothing.
     */
    @Test
    void shouldBuildAGiteaFormDeliverySignedOverItsPayloadAndRefuseATamperedOne() throws Exception {
        Path fixture = Path.of("..", "..", "shared", "fixtures", "webhooks", "gitea", "gitea_docs_push.json")
                .toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(fixture), "shared/fixtures/webhooks/gitea/gitea_docs_push.json is not beside "
                + "the repository (../shared/fixtures)");
        String json = Files.readString(fixture);
        Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/x-www-form-urlencoded",
                "X-Gitea-Event", "push", "X-Gitea-Delivery", "form-delivery-1",
                "X-Gitea-Signature", hmac("gt-test-secret", json.getBytes(StandardCharsets.UTF_8))));
        String tampered = json.replace("refs/heads/develop", "refs/heads/develoP");
        assertThat(tampered).isNotEqualTo(json);

        Map<String, String> forgedHeaders = new HashMap<>(headers);
        forgedHeaders.put("X-Gitea-Delivery", "form-delivery-tampered");
        CloudEventHttp.Answer refused = webhook(forgedHeaders, form(tampered));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(events()).noneMatch(e -> "gitea-form-delivery-tampered".equals(e.get("id")));

        CloudEventHttp.Answer accepted = webhook(headers, form(json));
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
        Job job = awaitOneJob("gitea-webhooks", "bffeb74224043ba2feb48d137756c8a9331c449a");
        awaitChain("gitea-form-delivery-1", job.getMetadata().getName());
    }

    private static byte[] form(String json) {
        return ("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
    }

    private Job awaitOneJob(String app, String commit) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !jobs(app).isEmpty());
        List<Job> jobs = jobs(app);
        assertThat(jobs).hasSize(1);
        assertThat(jobs.get(0).getMetadata().getLabels()).containsEntry("relay.dev/commit", commit);
        return jobs.get(0);
    }

    @SuppressWarnings("unchecked")
    private void awaitChain(String pushedId, String jobName) {
        await().atMost(Duration.ofSeconds(60)).until(() -> events().stream()
                .anyMatch(e -> "dev.relay.build.started".equals(e.get("type"))
                        && jobName.equals(((Map<String, Object>) e.get("data")).get("job"))));
        List<Map<String, Object>> events = events();
        Map<String, Object> pushed = events.stream().filter(e -> pushedId.equals(e.get("id"))).findFirst()
                .orElseThrow();
        assertThat(pushed.get("type")).isEqualTo("dev.relay.git.pushed");
        Map<String, Object> started = events.stream()
                .filter(e -> "dev.relay.build.started".equals(e.get("type")) && e.get("replyOf") != null
                        && pushedId.equals(((Map<String, Object>) e.get("replyOf")).get("eventId")))
                .findFirst().orElseThrow();
        assertThat((Map<String, Object>) started.get("extensions")).containsEntry("relaytrace", pushedId);
    }

    private List<Job> jobs(String app) {
        try (KubernetesClient client = CLUSTER.createClient()) {
            return client.batch().v1().jobs().inNamespace(NAMESPACE).withLabel("relay.dev/app", app).list()
                    .getItems();
        }
    }

    @SuppressWarnings("unchecked")
    private long buildStartedCount(String app) {
        return events().stream().filter(e -> "dev.relay.build.started".equals(e.get("type"))
                && app.equals(((Map<String, Object>) e.get("extensions")).get("relayapp"))).count();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> events() {
        CloudEventHttp.Answer answer = CloudEventHttp.get(URI.create("http://127.0.0.1:" + port + "/broker/events"));
        return EventPayloads.mapper().readValue(answer.body(), List.class);
    }

    private CloudEventHttp.Answer webhook(Map<String, String> headers, byte[] body) {
        return CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + "/webhooks"), headers, body);
    }

    private static byte[] fixture(String path) throws IOException {
        try (InputStream in = WebhookToBuildE2E.class.getResourceAsStream("/webhooks/" + path)) {
            return in.readAllBytes();
        }
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
