package dev.relay.ingress;

import static dev.relay.ingress.Webhooks.fixture;
import static dev.relay.ingress.Webhooks.hmacSha256Hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.testing.CloudEventHttp;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The shipped default: a producer without a secret is refused, an explicitly open one is reachable only on its own
 * path, and a configured secret file that is missing refuses that producer alone (the Service still starts).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WebhookFailClosedHttpTest {

    static final String GITHUB = "github-failclosed-do-not-leak";
    static final Path MISSING = Path.of(System.getProperty("java.io.tmpdir"), "relay-no-such-dir", "gitlab");
    static final FakeBroker BROKER = new FakeBroker();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void ingress(DynamicPropertyRegistry registry) {
        registry.add("relay.ingress.sink", () -> BROKER.uri().toString());
        registry.add("relay.ingress.providers.github.secret", () -> GITHUB);
        registry.add("relay.ingress.providers.gitlab.secret-file", MISSING::toString);
        registry.add("relay.ingress.allow-unauthenticated", () -> "argocd");
    }

    @BeforeEach
    void resetBroker() {
        BROKER.reset();
    }

    @AfterAll
    static void stopBroker() {
        BROKER.close();
    }

    @Test
    void shouldRefuseAProducerWithoutASecretNamingTheSetting() {
        CloudEventHttp.Answer answer = post("/webhooks/harbor",
                WebhookAuthenticationHttpTest.json("Authorization", "Bearer anything"),
                fixture("harbor/push-artifact.json"));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.json()).containsEntry("type", "https://relay.dev/problems/webhook-unauthorized");
        assertThat(answer.text()).contains("relay.ingress.providers.harbor.secret-file");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRefuseAForgedAlertOnThePlainPath() {
        CloudEventHttp.Answer answer = post("/webhooks",
                WebhookAuthenticationHttpTest.json("User-Agent", "Alertmanager/0.28.1"),
                fixture("alertmanager/firing-message.json"));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.text()).contains("relay.ingress.providers.alertmanager.secret-file");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldAcceptAnExplicitlyOpenProducerOnItsOwnPath() {
        CloudEventHttp.Answer answer = post("/webhooks/argocd",
                WebhookAuthenticationHttpTest.json("User-Agent", "Go-http-client/1.1"),
                fixture("argocd/relay-sync-succeeded.json"));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(BROKER.received()).hasSize(1);
    }

    @Test
    void shouldNeverRouteToAnOpenProducerBecauseOfHowTheRequestLooks() {
        CloudEventHttp.Answer answer = post("/webhooks",
                WebhookAuthenticationHttpTest.json("User-Agent", "Go-http-client/1.1"),
                fixture("argocd/relay-sync-succeeded.json"));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRefuseAGitHubPushForgedWithTheHeadersOfAnUnconfiguredGitea() {
        byte[] body = fixture("github/push-with-new-branch.payload.json");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Gitea-Event", "push");
        headers.put("X-GitHub-Event", "push");
        headers.put("X-Gitea-Signature", hmacSha256Hex("guessed", body));

        CloudEventHttp.Answer answer = post("/webhooks", headers, body);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.text()).contains("X-Hub-Signature-256");
        assertThat(BROKER.received()).isEmpty();
        assertThat(post("/webhooks/gitea", headers, body).status()).isEqualTo(401);
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRefuseOnlyTheProducerWhoseSecretFileIsMissing() {
        CloudEventHttp.Answer answer = post("/webhooks/gitlab",
                WebhookAuthenticationHttpTest.json("X-Gitlab-Event", "Push Hook"), fixture("gitlab/push-event.json"));

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.json()).containsEntry("type", "https://relay.dev/problems/webhook-secret-unavailable");
        assertThat(answer.text()).contains("relay.ingress.providers.gitlab.secret-file").contains(MISSING.toString());
        assertThat(BROKER.received()).isEmpty();

        byte[] body = fixture("github/push-with-new-branch.payload.json");
        assertThat(post("/webhooks/github", WebhookAuthenticationHttpTest.github(GITHUB, body), body).status())
                .isEqualTo(200);
    }

    CloudEventHttp.Answer post(String path, Map<String, String> headers, byte[] body) {
        return CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + path), headers, body);
    }
}
