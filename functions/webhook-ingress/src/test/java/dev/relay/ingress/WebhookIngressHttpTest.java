package dev.relay.ingress;

import static dev.relay.ingress.Webhooks.derived;
import static dev.relay.ingress.Webhooks.fixture;
import static dev.relay.ingress.Webhooks.hmacSha256Hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** webhook-ingress over HTTP on a random port, forwarding to a fake broker on loopback. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class WebhookIngressHttpTest {

    static final String GITHUB_SECRET = "gh-secret-7f3a9c1e-do-not-leak";
    static final String GITLAB_TOKEN = "gl-token-5b2d8e4f-do-not-leak";
    static final String GITEA_SECRET = "gitea-secret-91c4a7d2-do-not-leak";
    static final List<String> SECRETS = List.of(GITHUB_SECRET, GITLAB_TOKEN, GITEA_SECRET);

    static final Path GITHUB_SECRET_FILE = Path.of(secretFile("github", GITHUB_SECRET + "\n"));
    static final FakeBroker BROKER = new FakeBroker();
    static volatile String sink = BROKER.uri().toString();

    @LocalServerPort
    int port;

    /** Every response body of the test, to prove no secret is ever echoed. */
    final List<String> bodies = new ArrayList<>();

    @DynamicPropertySource
    static void ingress(DynamicPropertyRegistry registry) {
        registry.add("relay.ingress.sink", () -> sink);
        registry.add("relay.ingress.providers.github.secret-file", GITHUB_SECRET_FILE::toString);
        registry.add("relay.ingress.providers.gitlab.secret", () -> GITLAB_TOKEN);
        registry.add("relay.ingress.providers.gitea.secret-file", () -> secretFile("gitea", GITEA_SECRET));
    }

    @BeforeEach
    void resetBroker() {
        BROKER.reset();
        sink = BROKER.uri().toString();
    }

    @AfterAll
    static void stopBroker() {
        BROKER.close();
    }

    // --- GitHub ---------------------------------------------------------------------------------------------

    @Test
    void shouldForwardSignedGitHubPushAsOneGitPushedEvent() {
        String delivery = UUID.randomUUID().toString();
        CloudEventHttp.Answer answer = post(github("push", delivery, fixture("github/push-with-new-branch.payload.json")));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("forwarded", 1).containsEntry("ids", List.of("github-" + delivery));
        assertThat(BROKER.received()).hasSize(1);
        CloudEvent event = BROKER.received().get(0);
        assertThat(event.getType()).isEqualTo(RelayEventTypes.GIT_PUSHED);
        assertThat(event.getSource()).hasToString("/relay/webhook-ingress");
        assertThat(event.getId()).isEqualTo("github-" + delivery);
        assertThat(event.getExtension(RelayExtensions.TRACE)).isEqualTo(event.getId());
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(data(event)).isEqualTo(new Payloads.GitPushed("https://github.com/Codertocat/Hello-World.git",
                "refs/heads/master", "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
                "0000000000000000000000000000000000000000", "Codertocat", "github", "2019-05-15T15:19:25Z"));
    }

    @Test
    void shouldForwardTheSameEventIdWhenGitHubRedelivers() {
        String delivery = UUID.randomUUID().toString();
        Request request = github("push", delivery, fixture("github/push-with-new-branch.payload.json"));

        assertThat(post(request).status()).isEqualTo(200);
        assertThat(post(request).status()).isEqualTo(200);

        assertThat(BROKER.received()).extracting(CloudEvent::getId)
                .containsExactly("github-" + delivery, "github-" + delivery);
    }

    @Test
    void shouldAcceptTheProducerHintInThePath() {
        Request request = github("push", UUID.randomUUID().toString(),
                fixture("github/push-with-new-branch.payload.json"));

        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(uri("/webhooks/github"), request.headers, request.body);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(BROKER.received()).hasSize(1);
    }

    @Test
    void shouldRejectAForgedOrMissingGitHubSignatureAndForwardNothing(CapturedOutput output) {
        byte[] body = fixture("github/push-with-new-branch.payload.json");
        Request forged = github("push", UUID.randomUUID().toString(), body);
        forged.headers.put("X-Hub-Signature-256", "sha256=" + hmacSha256Hex("not-the-secret", body));
        Request missing = github("push", UUID.randomUUID().toString(), body);
        missing.headers.remove("X-Hub-Signature-256");
        Request sha1Only = github("push", UUID.randomUUID().toString(), body);
        sha1Only.headers.remove("X-Hub-Signature-256");
        sha1Only.headers.put("X-Hub-Signature", "sha1=0123456789abcdef0123456789abcdef01234567");

        for (Request request : List.of(forged, missing, sha1Only)) {
            CloudEventHttp.Answer answer = post(request);
            assertProblem(answer, 401, "webhook-unauthorized");
            assertThat(answer.text()).contains("X-Hub-Signature-256");
        }
        assertThat(BROKER.received()).isEmpty();
        assertNoSecretIn(output);
    }

    @Test
    void shouldRejectASignatureOverDifferentBytes() {
        byte[] body = fixture("github/push-with-new-branch.payload.json");
        Request request = github("push", UUID.randomUUID().toString(), body);
        byte[] tampered = derived("github/push-with-new-branch.payload.json", "\"refs/heads/master\"",
                "\"refs/heads/main\"");

        assertProblem(CloudEventHttp.postRaw(uri("/webhooks"), request.headers, tampered), 401,
                "webhook-unauthorized");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldReadARotatedSecretFileWithoutRestart() throws IOException {
        byte[] body = fixture("github/push-with-new-branch.payload.json");
        String rotated = GITHUB_SECRET + "-rotated";
        try {
            Files.writeString(GITHUB_SECRET_FILE, rotated);
            Request oldSignature = github("push", UUID.randomUUID().toString(), body);
            Request newSignature = github("push", UUID.randomUUID().toString(), body);
            newSignature.headers.put("X-Hub-Signature-256", "sha256=" + hmacSha256Hex(rotated, body));

            assertProblem(post(oldSignature), 401, "webhook-unauthorized");
            assertThat(post(newSignature).status()).isEqualTo(200);
        } finally {
            Files.writeString(GITHUB_SECRET_FILE, GITHUB_SECRET + "\n");
        }
        assertThat(BROKER.received()).hasSize(1);
    }

    @Test
    void shouldAcceptAFormEncodedGitHubPushSignedOverTheRawBody() {
        String json = new String(fixture("github/push-with-new-branch.payload.json"), StandardCharsets.UTF_8);
        byte[] form = ("payload=" + java.net.URLEncoder.encode(json, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
        Request request = github("push", UUID.randomUUID().toString(), form);
        request.headers.put("Content-Type", "application/x-www-form-urlencoded");

        assertThat(post(request).status()).isEqualTo(200);
        assertThat(data(BROKER.received().get(0)).commit()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    }

    @Test
    void shouldAnswerPingWithoutForwarding() {
        CloudEventHttp.Answer answer = post(github("ping", UUID.randomUUID().toString(),
                fixture("github/ping-payload.json")));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("forwarded", 0).containsEntry("reason", "ping");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldIgnoreADeletedRefWithoutForwarding() {
        // push-payload.json is GitHub's real push of a deleted tag: "deleted": true, "after": 40 zeros
        CloudEventHttp.Answer answer = post(github("push", UUID.randomUUID().toString(),
                fixture("github/push-payload.json")));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("forwarded", 0)
                .containsEntry("reason", "deleted refs/tags/simple-tag");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldIgnoreEventsThatAreNotPushes() {
        CloudEventHttp.Answer answer = post(github("create", UUID.randomUUID().toString(),
                fixture("github/create-payload.json")));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("forwarded", 0)
                .containsEntry("reason", "github event 'create' is not forwarded");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRejectAnInvalidRefWith422() {
        byte[] body = derived("github/push-with-new-branch.payload.json", "\"refs/heads/master\"",
                "\"refs/heads/bad..name\"");

        CloudEventHttp.Answer answer = post(github("push", UUID.randomUUID().toString(), body));

        assertProblem(answer, 422, "invalid-git-push");
        assertThat(answer.text()).contains("refs/heads/*");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRejectARepositoryUrlCarryingCredentials() {
        byte[] body = derived("github/push-with-new-branch.payload.json",
                "\"clone_url\": \"https://github.com/Codertocat/Hello-World.git\"",
                "\"clone_url\": \"https://bot:token@github.com/Codertocat/Hello-World.git\"");

        assertProblem(post(github("push", UUID.randomUUID().toString(), body)), 422, "invalid-git-push");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRejectABodyThatIsNotJsonWith400() {
        byte[] body = "not json".getBytes(StandardCharsets.UTF_8);

        assertProblem(post(github("push", UUID.randomUUID().toString(), body)), 400, "invalid-webhook-payload");
    }

    // --- GitLab ---------------------------------------------------------------------------------------------

    @Test
    void shouldForwardGitLabPushWithToken() {
        String uuid = UUID.randomUUID().toString();
        CloudEventHttp.Answer answer = post(gitlab("Push Hook", uuid, GITLAB_TOKEN, fixture("gitlab/push-event.json")));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(BROKER.received()).hasSize(1);
        CloudEvent event = BROKER.received().get(0);
        assertThat(event.getId()).isEqualTo("gitlab-" + uuid);
        assertThat(event.getExtension(RelayExtensions.TRACE)).isEqualTo("gitlab-" + uuid);
        assertThat(data(event)).isEqualTo(new Payloads.GitPushed("http://example.com/mike/diaspora.git",
                "refs/heads/master", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
                "95790bf891e76fee5e1747ab589903a6a1f80f22", "John Smith", "gitlab", "2012-01-03T21:36:29Z"));
    }

    @Test
    void shouldForwardGitLabTagPushWithTheTagRef() {
        post(gitlab("Tag Push Hook", UUID.randomUUID().toString(), GITLAB_TOKEN, fixture("gitlab/tag-event.json")));

        assertThat(BROKER.received()).hasSize(1);
        assertThat(data(BROKER.received().get(0))).isEqualTo(new Payloads.GitPushed(
                "http://example.com/jsmith/example.git", "refs/tags/v1.0.0",
                "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", "0000000000000000000000000000000000000000", "jsmith",
                "gitlab"));
    }

    @Test
    void shouldDeriveTheGitLabEventIdFromTheBodyWithoutEventUuid() {
        byte[] body = fixture("gitlab/push-event.json");
        Request request = gitlab("Push Hook", null, GITLAB_TOKEN, body);

        post(request);
        post(request);

        assertThat(BROKER.received()).extracting(CloudEvent::getId)
                .containsExactly("gitlab-sha256-" + sha256Hex(body), "gitlab-sha256-" + sha256Hex(body));
    }

    @Test
    void shouldForwardThePushOfAGitLabSystemHook() {
        post(gitlab("System Hook", UUID.randomUUID().toString(), GITLAB_TOKEN,
                fixture("gitlab/system-push-event.json")));

        assertThat(BROKER.received()).hasSize(1);
        assertThat(data(BROKER.received().get(0)).commit()).isEqualTo("da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
    }

    @Test
    void shouldRejectAWrongOrMissingGitLabToken(CapturedOutput output) {
        byte[] body = fixture("gitlab/push-event.json");
        for (String token : new String[] {"wrong-token", GITLAB_TOKEN + "x", null}) {
            CloudEventHttp.Answer answer = post(gitlab("Push Hook", UUID.randomUUID().toString(), token, body));
            assertProblem(answer, 401, "webhook-unauthorized");
            assertThat(answer.text()).contains("X-Gitlab-Token").doesNotContain("wrong-token");
        }
        assertThat(BROKER.received()).isEmpty();
        assertNoSecretIn(output);
    }

    @Test
    void shouldIgnoreAGitLabBranchDeletion() {
        // derived from the real push-event.json: GitLab reports a deleted branch with "after" = 40 zeros
        byte[] body = derived("gitlab/push-event.json",
                "\"after\": \"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\"",
                "\"after\": \"0000000000000000000000000000000000000000\"");

        CloudEventHttp.Answer answer = post(gitlab("Push Hook", UUID.randomUUID().toString(), GITLAB_TOKEN, body));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("forwarded", 0).containsEntry("reason", "deleted refs/heads/master");
        assertThat(BROKER.received()).isEmpty();
    }

    // --- Gitea ----------------------------------------------------------------------------------------------

    @Test
    void shouldForwardSignedGiteaPushEvenThoughItAlsoSendsGitHubHeaders() {
        String delivery = UUID.randomUUID().toString();
        CloudEventHttp.Answer answer = post(gitea("push", delivery, fixture("gitea/push-event.json")));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(BROKER.received()).hasSize(1);
        CloudEvent event = BROKER.received().get(0);
        assertThat(event.getId()).isEqualTo("gitea-" + delivery);
        assertThat(data(event)).isEqualTo(new Payloads.GitPushed("http://localhost:3000/example/example.git",
                "refs/heads/master", "67b56589a45103f891bdee7c0546e5d40bc02001",
                "0000000000000000000000000000000000000000", "example", "gitea", "2022-03-09T07:23:39Z"));
    }

    @Test
    void shouldForwardAGiteaTagPushWithTheTagRef() {
        // derived from the real push-event.json: Gitea sends a tag push as a push event with refs/tags/...
        byte[] body = derived("gitea/push-event.json", "\"ref\": \"refs/heads/master\"", "\"ref\": \"refs/tags/v1.2.0\"");

        assertThat(post(gitea("push", UUID.randomUUID().toString(), body)).status()).isEqualTo(200);

        assertThat(data(BROKER.received().get(0)).ref()).isEqualTo("refs/tags/v1.2.0");
    }

    @Test
    void shouldRejectAForgedGiteaSignature() {
        byte[] body = fixture("gitea/push-event.json");
        Request request = gitea("push", UUID.randomUUID().toString(), body);
        request.headers.put("X-Gitea-Signature", hmacSha256Hex(GITHUB_SECRET, body));

        assertProblem(post(request), 401, "webhook-unauthorized");
        assertThat(BROKER.received()).isEmpty();
    }

    // --- other producers, errors ----------------------------------------------------------------------------

    @Test
    void shouldAnswer400ForAnUnrecognisedWebhookAnd404ForAnUnknownProducer() {
        byte[] body = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> json = Map.of("Content-Type", "application/json");

        assertProblem(CloudEventHttp.postRaw(uri("/webhooks"), json, body), 400, "unrecognised-webhook");
        assertProblem(CloudEventHttp.postRaw(uri("/webhooks/bitbucket"), json, body), 404, "unknown-producer");
    }

    @Test
    void shouldAnswer502WhenTheBrokerRefusesAnd503WhenItIsDown() {
        BROKER.answer(503);
        CloudEventHttp.Answer refused = post(github("push", UUID.randomUUID().toString(),
                fixture("github/push-with-new-branch.payload.json")));
        assertProblem(refused, 502, "broker-rejected");

        sink = FakeBroker.closedPort().toString();
        CloudEventHttp.Answer down = post(github("push", UUID.randomUUID().toString(),
                fixture("github/push-with-new-branch.payload.json")));
        assertProblem(down, 503, "broker-unreachable");
    }

    @Test
    void shouldAnswer503NamingTheSettingWhenNoSinkIsConfigured() {
        sink = "";

        CloudEventHttp.Answer answer = post(github("push", UUID.randomUUID().toString(),
                fixture("github/push-with-new-branch.payload.json")));

        assertProblem(answer, 503, "no-sink");
        assertThat(answer.text()).contains("relay.ingress.sink").contains("K_SINK");
    }

    @Test
    void shouldAnswer413ForAnOversizedBody() {
        byte[] body = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(body, (byte) ' ');

        CloudEventHttp.Answer answer = post(github("push", UUID.randomUUID().toString(), body));

        assertProblem(answer, 413, "request-too-large");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldLeaveTheCloudEventEndpointAtRootAnswering404() {
        CloudEventHttp.Answer answer = CloudEventHttp.post(uri("/"),
                CloudEventHttp.event(RelayEventTypes.GIT_PUSHED, Map.of()).build());

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
    }

    @Test
    void shouldCountOutcomesAndLogOneLinePerWebhookWithTheTrace(CapturedOutput output) {
        String delivery = UUID.randomUUID().toString();
        post(github("push", delivery, fixture("github/push-with-new-branch.payload.json")));
        post(github("ping", UUID.randomUUID().toString(), fixture("github/ping-payload.json")));

        String metrics = CloudEventHttp.get(uri("/actuator/prometheus")).text();
        assertThat(metrics).containsPattern("relay_events_total\\{function=\"webhook-ingress\",outcome=\"forwarded\","
                + "type=\"dev.relay.git.pushed\"} [1-9]");
        assertThat(metrics).containsPattern("relay_events_total\\{function=\"webhook-ingress\",outcome=\"ignored\","
                + "type=\"github:ping\"} [1-9]");
        assertThat(output.getOut()).containsPattern("\\[relaytrace=github-" + delivery + "] .*webhook producer=github "
                + "event=push delivery=" + delivery + " outcome=forwarded forwarded=\\[github-" + delivery + "]");
        assertNoSecretIn(output);
    }

    // --- helpers --------------------------------------------------------------------------------------------

    record Request(Map<String, String> headers, byte[] body) {
    }

    static Request github(String event, String delivery, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "GitHub-Hookshot/044aadd");
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", delivery);
        headers.put("X-Hub-Signature-256", "sha256=" + hmacSha256Hex(GITHUB_SECRET, body));
        return new Request(headers, body);
    }

    static Request gitlab(String event, String uuid, String token, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "GitLab/17.0.0");
        headers.put("X-Gitlab-Event", event);
        if (uuid != null) {
            headers.put("X-Gitlab-Event-UUID", uuid);
        }
        if (token != null) {
            headers.put("X-Gitlab-Token", token);
        }
        return new Request(headers, body);
    }

    /** Gitea's real header set: its own, plus the GitHub and Gogs compatibility headers. */
    static Request gitea(String event, String delivery, byte[] body) {
        String signature = hmacSha256Hex(GITEA_SECRET, body);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Gitea-Event", event);
        headers.put("X-Gitea-Event-Type", event);
        headers.put("X-Gitea-Delivery", delivery);
        headers.put("X-Gitea-Signature", signature);
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", delivery);
        headers.put("X-Gogs-Event", event);
        headers.put("X-Gogs-Delivery", delivery);
        headers.put("X-Gogs-Signature", signature);
        headers.put("X-Hub-Signature-256", "sha256=" + signature);
        return new Request(headers, body);
    }

    CloudEventHttp.Answer post(Request request) {
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(uri("/webhooks"), request.headers, request.body);
        bodies.add(answer.text());
        return answer;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static Payloads.GitPushed data(CloudEvent event) {
        return EventPayloads.read(event, Payloads.GitPushed.class);
    }

    static void assertProblem(CloudEventHttp.Answer answer, int status, String type) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(status);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        assertThat(answer.json()).containsEntry("type", "https://relay.dev/problems/" + type)
                .containsEntry("status", status);
    }

    void assertNoSecretIn(CapturedOutput output) {
        for (String secret : SECRETS) {
            assertThat(output.getAll()).doesNotContain(secret);
            assertThat(bodies).noneMatch(body -> body.contains(secret));
        }
    }

    static String secretFile(String name, String content) {
        try {
            Path file = Files.createTempFile("relay-ingress-" + name, ".secret");
            file.toFile().deleteOnExit();
            Files.writeString(file, content);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
