package dev.relay.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.approvals.ApprovalSignature;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code POST /approvals} over HTTP: the approver is who the token proves, only for its environments; the decision
 * reaches the promotion service signed, and that service's answer is the caller's. The promotion service here is a
 * stand-in on loopback that verifies the signature with the same key, as on-scan-pass-bump does.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ApprovalsHttpTest {

    static final String ALICE_TOKEN = "alice-token-5e1d-do-not-leak";
    static final String BOB_TOKEN = "bob-token-8a8a-do-not-leak";
    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final Path KEY = file("approval-key", "approval-signing-key-0123456789abcdef");
    static final FakeBroker BROKER = new FakeBroker();
    static final PromotionService PROMOTIONS = new PromotionService(new ApprovalSignature(KEY));

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void ingress(DynamicPropertyRegistry registry) {
        registry.add("relay.ingress.sink", () -> BROKER.uri().toString());
        registry.add("relay.ingress.approvals-target", PROMOTIONS::uri);
        registry.add("relay.approvals.signing-key-file", KEY::toString);
        registry.add("relay.ingress.approvers.alice.token-file", () -> file("alice", ALICE_TOKEN + "\n").toString());
        registry.add("relay.ingress.approvers.alice.environments", () -> "staging,production");
        registry.add("relay.ingress.approvers.bob.token-file", () -> file("bob", BOB_TOKEN).toString());
        registry.add("relay.ingress.approvers.bob.environments", () -> "staging");
    }

    @BeforeEach
    void reset() {
        BROKER.reset();
        PROMOTIONS.reset();
    }

    @AfterAll
    static void stop() {
        BROKER.close();
        PROMOTIONS.close();
    }

    @Test
    void shouldRefuseAnApprovalWithoutOrWithAnUnknownTokenAndDeliverNothing() {
        for (String authorization : new String[] {null, "Bearer not-a-token", "Basic " + ALICE_TOKEN, ALICE_TOKEN}) {
            CloudEventHttp.Answer answer = approve(authorization, "production", "approve");

            assertThat(answer.status()).as(String.valueOf(authorization)).isEqualTo(401);
            assertThat(answer.json()).containsEntry("type", "https://relay.dev/problems/approver-unauthenticated");
            assertThat(answer.text()).doesNotContain(ALICE_TOKEN).doesNotContain(BOB_TOKEN);
        }
        assertThat(PROMOTIONS.received()).isEmpty();
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRefuseAnApproverForAnEnvironmentItMayNotDecide() {
        CloudEventHttp.Answer answer = approve("Bearer " + BOB_TOKEN, "production", "approve");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.json()).containsEntry("type", "https://relay.dev/problems/approver-not-allowed");
        assertThat(answer.text()).contains("bob");
        assertThat(PROMOTIONS.received()).isEmpty();
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldDeliverASignedApprovalNamingTheAuthenticatedApproverAndForwardTheAnswer() {
        String body = "{\"app\":\"web-app\",\"environment\":\"production\",\"digest\":\"" + DIGEST
                + "\",\"approver\":\"mallory\"}";

        CloudEventHttp.Answer answer = post("Bearer " + ALICE_TOKEN, body);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("decision", "approve").containsEntry("approver", "alice")
                .containsEntry("outcome", RelayEventTypes.MANIFEST_BUMPED).containsEntry("commit", "c0ffee");
        CloudEvent delivered = PROMOTIONS.received().get(0);
        assertThat(delivered.getType()).isEqualTo(RelayEventTypes.PROMOTION_APPROVED);
        assertThat(EventPayloads.read(delivered, Payloads.PromotionApproved.class))
                .isEqualTo(new Payloads.PromotionApproved("web-app", "production", DIGEST, "alice"));
        assertThat(BROKER.received()).extracting(CloudEvent::getType).containsExactly(RelayEventTypes.MANIFEST_BUMPED);
    }

    @Test
    void shouldDeliverARejectionWithItsReason() {
        String body = "{\"app\":\"web-app\",\"environment\":\"staging\",\"digest\":\"" + DIGEST
                + "\",\"decision\":\"reject\",\"reason\":\"CVE triage open\"}";

        CloudEventHttp.Answer answer = post("Bearer " + BOB_TOKEN, body);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("decision", "reject").containsEntry("approver", "bob");
        assertThat(EventPayloads.read(PROMOTIONS.received().get(0), Payloads.PromotionRejected.class)).isEqualTo(
                new Payloads.PromotionRejected("web-app", "staging", DIGEST, "bob", "CVE triage open"));
    }

    @Test
    void shouldPassOnThePromotionServicesRefusal() {
        PROMOTIONS.refuseWith(403);

        CloudEventHttp.Answer answer = approve("Bearer " + ALICE_TOKEN, "production", "approve");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.json()).containsEntry("type", "https://relay.dev/problems/not-pending");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRefuseInvalidDecisionsBeforeDeliveringAnything() {
        assertThat(approve("Bearer " + ALICE_TOKEN, "Production", "approve").status()).isEqualTo(422);
        assertThat(approve("Bearer " + ALICE_TOKEN, "production", "maybe").status()).isEqualTo(422);
        assertThat(post("Bearer " + ALICE_TOKEN, "{\"app\":\"web-app\",\"environment\":\"production\","
                + "\"digest\":\"sha256:abc\"}").status()).isEqualTo(422);
        assertThat(post("Bearer " + ALICE_TOKEN, "approve please").status()).isEqualTo(400);
        assertThat(PROMOTIONS.received()).isEmpty();
    }

    private CloudEventHttp.Answer approve(String authorization, String environment, String decision) {
        return post(authorization, "{\"app\":\"web-app\",\"environment\":\"" + environment + "\",\"digest\":\""
                + DIGEST + "\",\"decision\":\"" + decision + "\"}");
    }

    private CloudEventHttp.Answer post(String authorization, String body) {
        Map<String, String> headers = new TreeMap<>();
        headers.put("Content-Type", "application/json");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + "/approvals"), headers,
                body.getBytes(StandardCharsets.UTF_8));
    }

    static Path file(String name, String content) {
        try {
            Path file = Files.createTempFile("relay-approvals-" + name, ".secret");
            Files.writeString(file, content);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stands in for on-scan-pass-bump: verifies the signature, records the event, answers a bump or a problem. */
    static final class PromotionService implements AutoCloseable {

        private final HttpServer server;
        private final List<CloudEvent> received = new CopyOnWriteArrayList<>();
        private final AtomicInteger refusal = new AtomicInteger();

        PromotionService(ApprovalSignature signature) {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                try (exchange) {
                    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
                    CloudEvent event = CloudEventCodec.read(headers, exchange.getRequestBody().readAllBytes());
                    try {
                        signature.verify(event);
                    } catch (EventRejectedException e) {
                        send(exchange, 401, "approval-unauthenticated");
                        return;
                    }
                    received.add(event);
                    if (refusal.get() != 0) {
                        send(exchange, refusal.get(), "not-pending");
                        return;
                    }
                    CloudEvent reply = CloudEventHttp.event(RelayEventTypes.MANIFEST_BUMPED,
                            new Payloads.Manifest("web-app", "production", "registry.example.com/web-app", "2.0.0",
                                    DIGEST, "file:///config.git", "apps/web-app/production.yaml", "c0ffee", "1.0.0",
                                    null)).build();
                    CloudEventCodec.HttpEvent http = CloudEventCodec.write(reply);
                    http.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                    exchange.sendResponseHeaders(200, http.body().length);
                    exchange.getResponseBody().write(http.body());
                }
            });
            server.start();
        }

        private static void send(com.sun.net.httpserver.HttpExchange exchange, int status, String type)
                throws IOException {
            byte[] body = ("{\"type\":\"https://relay.dev/problems/" + type + "\",\"status\":" + status + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }

        String uri() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/on-scan-pass-bump";
        }

        List<CloudEvent> received() {
            return List.copyOf(received);
        }

        void refuseWith(int status) {
            refusal.set(status);
        }

        void reset() {
            received.clear();
            refusal.set(0);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
