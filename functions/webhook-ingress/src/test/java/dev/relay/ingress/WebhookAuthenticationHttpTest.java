package dev.relay.ingress;

import static dev.relay.ingress.Webhooks.fixture;
import static dev.relay.ingress.Webhooks.hmacSha256Hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.shared.testing.CloudEventHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every producer with its own scheme, on the real HTTP path: a correctly authenticated delivery is accepted; a wrong,
 * missing or (for the schemes that sign the body) one-byte-altered replay is a 401 and puts nothing on the broker.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WebhookAuthenticationHttpTest {

    static final String GITHUB = "github-auth-3c1f-do-not-leak";
    static final String GITLAB_KEY = Base64.getEncoder().encodeToString(
            "gitlab-signing-key-32-bytes-long".getBytes(StandardCharsets.US_ASCII));
    static final String GITLAB = "whsec_" + GITLAB_KEY;
    static final String GITEA = "gitea-auth-77aa-do-not-leak";
    static final String HARBOR = "harbor-auth-12ef-do-not-leak";
    static final String DISTRIBUTION = "distribution-auth-a9b8-do-not-leak";
    static final String ARGOCD = "argocd-auth-5d6e-do-not-leak";
    static final String FLUX = "flux-auth-0b0c-do-not-leak";
    static final String ALERTMANAGER = "alertmanager-auth-4f4f-do-not-leak";
    static final List<String> SECRETS = List.of(GITHUB, GITLAB, GITLAB_KEY, GITEA, HARBOR, DISTRIBUTION, ARGOCD,
            FLUX, ALERTMANAGER);

    static final FakeBroker BROKER = new FakeBroker();

    @LocalServerPort
    int port;

    final List<String> bodies = new ArrayList<>();

    @DynamicPropertySource
    static void ingress(DynamicPropertyRegistry registry) {
        registry.add("relay.ingress.sink", () -> BROKER.uri().toString());
        registry.add("relay.ingress.providers.github.secret", () -> GITHUB);
        registry.add("relay.ingress.providers.gitlab.secret-file", () -> secretFile("gitlab", GITLAB + "\n"));
        registry.add("relay.ingress.providers.gitea.secret-file", () -> secretFile("gitea", GITEA));
        registry.add("relay.ingress.providers.harbor.secret", () -> HARBOR);
        registry.add("relay.ingress.providers.distribution.secret", () -> DISTRIBUTION);
        registry.add("relay.ingress.providers.distribution.username", () -> "registry");
        registry.add("relay.ingress.providers.argocd.secret", () -> ARGOCD);
        registry.add("relay.ingress.providers.flux.secret", () -> FLUX);
        registry.add("relay.ingress.providers.alertmanager.secret", () -> ALERTMANAGER);
        registry.add("relay.ingress.flux.objects[apps/Kustomization/webapp].app", () -> "web-app");
        registry.add("relay.ingress.flux.objects[apps/Kustomization/webapp].environment", () -> "staging");
    }

    @BeforeEach
    void resetBroker() {
        BROKER.reset();
    }

    @AfterEach
    void noSecretInAnyAnswer() {
        for (String body : bodies) {
            for (String secret : SECRETS) {
                assertThat(body).doesNotContain(secret);
            }
        }
    }

    @AfterAll
    static void stopBroker() {
        BROKER.close();
    }

    /** One producer: its name, a real payload, and how it authenticates that payload with a given secret. */
    record Producer(String name, byte[] body, Function<byte[], Map<String, String>> signed,
            Function<byte[], Map<String, String>> wronglySigned, boolean signsBody) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Producer> producers() {
        return Stream.of(
                new Producer("github", fixture("github/push-with-new-branch.payload.json"), body -> github(GITHUB, body),
                        body -> github("not-the-github-secret", body), true),
                new Producer("gitlab", fixture("gitlab/push-event.json"),
                        body -> gitlab(GITLAB_KEY, body, Instant.now()),
                        body -> gitlab(Base64.getEncoder().encodeToString(new byte[32]), body, Instant.now()), true),
                new Producer("gitea", fixture("gitea/push-event.json"), body -> gitea(GITEA, body),
                        body -> gitea("not-the-gitea-secret", body), true),
                new Producer("flux", SyncAndAlertWebhooksHttpTest.fluxSucceeded(), body -> flux(FLUX, body),
                        body -> flux("not-the-flux-secret", body), true),
                new Producer("harbor", fixture("harbor/push-artifact.json"),
                        body -> json("Authorization", "Bearer " + HARBOR),
                        body -> json("Authorization", "Bearer not-the-harbor-secret"), false),
                new Producer("distribution", fixture("distribution/captured-manifest-push.json"),
                        body -> distribution(basic("registry", DISTRIBUTION)),
                        body -> distribution(basic("someone-else", DISTRIBUTION)), false),
                new Producer("argocd", fixture("argocd/relay-sync-succeeded.json"),
                        body -> json("Authorization", "Bearer " + ARGOCD),
                        body -> json("Authorization", "Bearer not-the-argocd-token"), false),
                new Producer("alertmanager", fixture("alertmanager/firing-message.json"),
                        body -> json("Authorization", basic("alertmanager", ALERTMANAGER)),
                        body -> json("Authorization", basic("alertmanager", "not-the-password")), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("producers")
    void shouldForwardACorrectlyAuthenticatedDelivery(Producer producer) {
        CloudEventHttp.Answer answer = post("/webhooks/" + producer.name(), producer.signed().apply(producer.body()),
                producer.body());

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(BROKER.received()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("producers")
    void shouldRefuseAWrongSecretAndForwardNothing(Producer producer) {
        CloudEventHttp.Answer answer = post("/webhooks/" + producer.name(),
                producer.wronglySigned().apply(producer.body()), producer.body());

        assertUnauthorized(answer);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("producers")
    void shouldRefuseADeliveryWithoutCredentialsAndForwardNothing(Producer producer) {
        Map<String, String> headers = new LinkedHashMap<>(producer.signed().apply(producer.body()));
        headers.keySet().removeIf(name -> name.equalsIgnoreCase("Authorization") || name.contains("Signature")
                || name.startsWith("webhook-") || name.equalsIgnoreCase("X-Gitlab-Token"));

        assertUnauthorized(post("/webhooks/" + producer.name(), headers, producer.body()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("producers")
    void shouldRefuseASignedDeliveryReplayedWithOneByteChanged(Producer producer) {
        assumeTrue(producer.signsBody(), producer.name() + " authenticates with a token that does not cover the body");
        Map<String, String> headers = producer.signed().apply(producer.body());
        byte[] altered = producer.body().clone();
        int last = lastDigit(altered);
        altered[last] = (byte) (altered[last] == '9' ? '8' : altered[last] + 1);

        assertUnauthorized(post("/webhooks/" + producer.name(), headers, altered));
    }

    @Test
    void shouldRefuseAGitLabSignatureOlderThanFiveMinutes() {
        byte[] body = fixture("gitlab/push-event.json");

        assertUnauthorized(post("/webhooks/gitlab", gitlab(GITLAB_KEY, body, Instant.now().minusSeconds(600)), body));
    }

    @Test
    void shouldTellASignedProducerFromItsHeadersOnThePlainPath() {
        byte[] body = fixture("github/push-with-new-branch.payload.json");

        assertThat(post("/webhooks", github(GITHUB, body), body).status()).isEqualTo(200);
        assertThat(BROKER.received()).hasSize(1);
    }

    @Test
    void shouldRefuseAGitHubPayloadForgedWithGiteaHeaders() {
        byte[] body = fixture("github/push-with-new-branch.payload.json");
        Map<String, String> headers = new LinkedHashMap<>(github(GITHUB, body));
        headers.put("X-Gitea-Event", "push");
        headers.put("X-Gitea-Signature", hmacSha256Hex("guessed", body));

        assertUnauthorized(post("/webhooks", headers, body));
    }

    @Test
    void shouldAcceptAGiteaFormDeliverySignedOverItsJsonPayload() {
        byte[] json = sharedFixture("gitea/gitea_docs_push.json");
        byte[] form = ("payload=" + URLEncoder.encode(new String(json, StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
        Map<String, String> headers = new LinkedHashMap<>(gitea(GITEA, json));
        headers.put("Content-Type", WebhookRequest.FORM);

        CloudEventHttp.Answer answer = post("/webhooks", headers, form);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(BROKER.received()).hasSize(1);
    }

    @Test
    void shouldRefuseATamperedGiteaFormDelivery() {
        byte[] json = sharedFixture("gitea/gitea_docs_push.json");
        String text = new String(json, StandardCharsets.UTF_8);
        String tampered = text.replaceFirst("\"ref\": ?\"refs/heads/[^\"]+\"", "\"ref\": \"refs/heads/evil\"");
        assertThat(tampered).isNotEqualTo(text);
        Map<String, String> headers = new LinkedHashMap<>(gitea(GITEA, json));
        headers.put("Content-Type", WebhookRequest.FORM);
        byte[] form = ("payload=" + URLEncoder.encode(tampered, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);

        assertUnauthorized(post("/webhooks/gitea", headers, form));
    }

    @Test
    void shouldRefuseAGiteaFormWhoseSignatureCoversTheFormBody() {
        byte[] json = sharedFixture("gitea/gitea_docs_push.json");
        byte[] form = ("payload=" + URLEncoder.encode(new String(json, StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
        Map<String, String> headers = new LinkedHashMap<>(gitea(GITEA, form));
        headers.put("Content-Type", WebhookRequest.FORM);

        assertUnauthorized(post("/webhooks/gitea", headers, form));
    }

    private void assertUnauthorized(CloudEventHttp.Answer answer) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(401);
        assertThat(answer.headers().get("content-type")).startsWith("application/problem+json");
        assertThat(answer.json()).containsEntry("type", "https://relay.dev/problems/webhook-unauthorized");
        assertThat(BROKER.received()).isEmpty();
    }

    static Map<String, String> github(String secret, byte[] body) {
        Map<String, String> headers = json("X-GitHub-Event", "push");
        headers.put("X-GitHub-Delivery", UUID.randomUUID().toString());
        headers.put("X-Hub-Signature-256", "sha256=" + hmacSha256Hex(secret, body));
        return headers;
    }

    static Map<String, String> gitea(String secret, byte[] signed) {
        Map<String, String> headers = json("X-Gitea-Event", "push");
        headers.put("X-Gitea-Delivery", UUID.randomUUID().toString());
        headers.put("X-Gitea-Signature", hmacSha256Hex(secret, signed));
        headers.put("X-GitHub-Event", "push");
        return headers;
    }

    /** Standard Webhooks as GitLab signs: {@code v1,<base64 HMAC-SHA256(id.timestamp.body)>}. */
    static Map<String, String> gitlab(String base64Key, byte[] body, Instant at) {
        String id = UUID.randomUUID().toString();
        String timestamp = Long.toString(at.getEpochSecond());
        Map<String, String> headers = json("X-Gitlab-Event", "Push Hook");
        headers.put("X-Gitlab-Event-UUID", id);
        headers.put("webhook-id", id);
        headers.put("webhook-timestamp", timestamp);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            headers.put("webhook-signature", "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return headers;
    }

    static Map<String, String> flux(String secret, byte[] body) {
        Map<String, String> headers = json("Gotk-Component", "kustomize-controller");
        headers.put("X-Signature", "sha256=" + hmacSha256Hex(secret, body));
        return headers;
    }

    static Map<String, String> distribution(String authorization) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/vnd.docker.distribution.events.v1+json");
        headers.put("Authorization", authorization);
        return headers;
    }

    static Map<String, String> json(String header, String value) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(header, value);
        return headers;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A payload from the shared third-party fixtures beside the repository (origins in SOURCES-webhooks.md). */
    static byte[] sharedFixture(String path) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures/webhooks").resolve(path);
            if (Files.isRegularFile(candidate)) {
                try {
                    return Files.readAllBytes(candidate);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        assumeTrue(false, "shared/fixtures/webhooks/" + path + " is not beside the repository (../shared/fixtures)");
        return new byte[0];
    }

    private static int lastDigit(byte[] body) {
        for (int i = body.length - 1; i >= 0; i--) {
            if (body[i] >= '0' && body[i] <= '9') {
                return i;
            }
        }
        throw new IllegalArgumentException("no digit to change");
    }

    CloudEventHttp.Answer post(String path, Map<String, String> headers, byte[] body) {
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + path), headers,
                body);
        bodies.add(answer.text());
        return answer;
    }

    static String secretFile(String name, String content) {
        try {
            Path file = Files.createTempFile("relay-auth-" + name, ".secret");
            Files.writeString(file, content);
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
