package dev.relay.ingress;

import static dev.relay.ingress.Webhooks.fixture;
import static dev.relay.ingress.Webhooks.hmacSha256Hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.testing.CloudEventHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With Eventing's OIDC sender identity, the SinkBinding's token file reaches the broker as a bearer token. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SinkTokenHttpTest {

    private static final String SECRET = "gh-secret-sink-token";
    private static final FakeBroker BROKER = new FakeBroker();
    private static final Path TOKEN_FILE = tokenFile();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void ingress(DynamicPropertyRegistry registry) {
        registry.add("relay.ingress.sink", () -> BROKER.uri().toString());
        registry.add("relay.ingress.providers.github.secret", () -> SECRET);
        registry.add("relay.ingress.sink-token-file", TOKEN_FILE::toString);
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
    void shouldSendTheMountedTokenAndRereadItAfterRotation() throws IOException {
        Files.writeString(TOKEN_FILE, "first.jwt.token\n");
        assertThat(push().status()).isEqualTo(200);
        Files.writeString(TOKEN_FILE, "rotated.jwt.token");
        assertThat(push().status()).isEqualTo(200);

        assertThat(BROKER.receivedHeaders()).extracting(h -> h.get("Authorization"))
                .containsExactly("Bearer first.jwt.token", "Bearer rotated.jwt.token");
    }

    @Test
    void shouldSendNoAuthorizationWithoutATokenFile() throws IOException {
        Files.deleteIfExists(TOKEN_FILE);
        assertThat(push().status()).isEqualTo(200);

        assertThat(BROKER.receivedHeaders()).hasSize(1);
        assertThat(BROKER.receivedHeaders().get(0)).doesNotContainKey("Authorization");
    }

    private CloudEventHttp.Answer push() {
        byte[] body = fixture("github/push-with-new-branch.payload.json");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-GitHub-Event", "push");
        headers.put("X-GitHub-Delivery", UUID.randomUUID().toString());
        headers.put("X-Hub-Signature-256", "sha256=" + hmacSha256Hex(SECRET, body));
        return CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + "/webhooks/github"), headers, body);
    }

    private static Path tokenFile() {
        try {
            return Files.createTempDirectory("relay-oidc").resolve("token");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
