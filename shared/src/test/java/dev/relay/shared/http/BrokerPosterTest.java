package dev.relay.shared.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches a broker stand-in on loopback (the event in binary mode, trace context, the SinkBinding's OIDC token
 * re-read at each post) and which problem a broker that does not take the event becomes.
 */
class BrokerPosterTest {

    static final BrokerPoster.Route ROUTE = new BrokerPoster.Route("some-function", "relay.some.sink",
            "relay.some.sink-token-file", "redeliver the thing");
    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @TempDir
    Path dir;

    HttpServer broker;
    final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
    final AtomicInteger status = new AtomicInteger(202);
    final Map<String, String> properties = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        broker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        broker.createContext("/broker", exchange -> {
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            exchange.getRequestBody().readAllBytes();
            received.add(headers);
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        broker.start();
        properties.put("relay.some.sink", "http://127.0.0.1:" + broker.getAddress().getPort() + "/broker");
        properties.put("relay.some.sink-token-file", dir.resolve("token").toString());
    }

    @AfterEach
    void stop() {
        broker.stop(0);
    }

    @Test
    void shouldPostInBinaryModeWithTraceContextAndTheMountedTokenRereadAfterRotation() throws IOException {
        Files.writeString(dir.resolve("token"), "first.jwt.token\n");
        poster().post(event("e-1"));
        Files.writeString(dir.resolve("token"), "rotated.jwt.token");
        poster().post(event("e-2"));

        assertThat(received).extracting(h -> h.get("ce-id")).containsExactly("e-1", "e-2");
        assertThat(received).extracting(h -> h.get("traceparent")).containsOnly(TRACEPARENT);
        assertThat(received).extracting(h -> h.get("authorization"))
                .containsExactly("Bearer first.jwt.token", "Bearer rotated.jwt.token");
    }

    @Test
    void shouldSendNoAuthorizationWithoutATokenFile() {
        poster().post(event("e-1"));

        assertThat(received).hasSize(1);
        assertThat(received.get(0)).doesNotContainKey("authorization").containsEntry("ce-id", "e-1");
    }

    @Test
    void shouldFallBackToKSink() {
        properties.put(BrokerPoster.K_SINK, properties.remove("relay.some.sink"));

        poster().post(event("e-1"));

        assertThat(received).extracting(h -> h.get("ce-id")).containsExactly("e-1");
    }

    @Test
    void shouldFailRetryably502WhenTheBrokerAnswersNon2xx() {
        status.set(500);

        assertThatThrownBy(() -> poster().post(event("e-1"))).isInstanceOfSatisfying(EventRetryableException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.problemType()).isEqualTo("broker-rejected");
                    assertThat(e.detail()).contains("HTTP 500", "e-1", "redeliver the thing");
                });
    }

    @Test
    void shouldFailRetryably503WhenTheBrokerIsUnreachable() {
        int port = broker.getAddress().getPort();
        broker.stop(0);
        properties.put("relay.some.sink", "http://127.0.0.1:" + port + "/broker");

        assertThatThrownBy(() -> poster().post(event("e-1"))).isInstanceOfSatisfying(EventRetryableException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.problemType()).isEqualTo("broker-unreachable");
                });
    }

    @Test
    void shouldNameThePropertyAndTheFunctionWhenNoSinkIsConfigured() {
        properties.remove("relay.some.sink");

        assertThatThrownBy(() -> poster().post(event("e-1"))).isInstanceOfSatisfying(EventRetryableException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.problemType()).isEqualTo("no-sink");
                    assertThat(e.detail()).contains("some-function", "relay.some.sink", "K_SINK");
                });
        assertThat(received).isEmpty();
    }

    @Test
    void shouldNameTheSourceOfAnInvalidSink() {
        properties.remove("relay.some.sink");
        properties.put(BrokerPoster.K_SINK, "file:///etc/passwd");

        assertThatThrownBy(() -> poster().post(event("e-1"))).isInstanceOfSatisfying(EventRetryableException.class,
                e -> {
                    assertThat(e.problemType()).isEqualTo("invalid-sink");
                    assertThat(e.detail()).contains("K_SINK");
                });
    }

    private BrokerPoster poster() {
        return new BrokerPoster(ROUTE, properties::get, Duration.ofSeconds(5), Duration.ofSeconds(5),
                () -> Map.of("traceparent", TRACEPARENT));
    }

    private static CloudEvent event(String id) {
        return CloudEventHttp.event("dev.relay.test", Map.of("a", "b")).withId(id).build();
    }
}
