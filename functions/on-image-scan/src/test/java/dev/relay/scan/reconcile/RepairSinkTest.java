package dev.relay.scan.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.testing.CloudEventHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repair reaches the broker with the SinkBinding's OIDC token, so an EventPolicy on the broker admits it. */
class RepairSinkTest {

    @TempDir
    Path dir;

    HttpServer broker;
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        broker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        broker.createContext("/broker", exchange -> {
            exchange.getRequestBody().readAllBytes();
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        broker.start();
    }

    @AfterEach
    void stop() {
        broker.stop(0);
    }

    @Test
    void shouldSendTheSinkBindingsTokenWithARepair() throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "repair.jwt.token\n");
        Map<String, String> properties = Map.of(
                "relay.reconcile.sink", "http://127.0.0.1:" + broker.getAddress().getPort() + "/broker",
                "relay.reconcile.sink-token-file", token.toString());

        new RepairSink(properties::get, Duration.ofSeconds(5))
                .send(CloudEventHttp.event("dev.relay.test", Map.of()).withId("repair-1").build());

        assertThat(authorizations).containsExactly("Bearer repair.jwt.token");
    }

    @Test
    void shouldNameOnImageScansSettingWhenNoSinkIsConfigured() {
        assertThatThrownBy(() -> new RepairSink(name -> null, Duration.ofSeconds(5))
                .send(CloudEventHttp.event("dev.relay.test", Map.of()).withId("repair-1").build()))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                    assertThat(e.problemType()).isEqualTo("no-sink");
                    assertThat(e.detail()).contains("on-image-scan", "relay.reconcile.sink", "K_SINK");
                });
        assertThat(authorizations).isEmpty();
    }
}
