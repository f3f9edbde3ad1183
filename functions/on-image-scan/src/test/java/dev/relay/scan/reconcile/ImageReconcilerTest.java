package dev.relay.scan.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.GitWriterSettings;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * What one tick decides per pipeline, against a registry stand-in on loopback, a real config repository and a
 * broker stand-in that records the repairs: repair what the first environment lacks (once), leave alone an
 * environment that has it or something newer or holds it out, and answer {@code errored} naming an unreadable registry.
 */
class ImageReconcilerTest {

    static final String OLD = "sha256:" + "0a".repeat(32);
    static final String NEW = "sha256:" + "1b".repeat(32);

    @TempDir
    Path dir;

    HttpServer server;
    String host;
    final List<CloudEvent> repairs = new CopyOnWriteArrayList<>();
    final AtomicInteger tagStatus = new AtomicInteger(200);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = "{\"tags\":[\"1.0.0\",\"1.1.0\",\"latest\"]}".getBytes(StandardCharsets.UTF_8);
            if (path.endsWith("/tags/list")) {
                exchange.sendResponseHeaders(tagStatus.get(), body.length);
                exchange.getResponseBody().write(body);
            } else if (path.endsWith("/manifests/1.1.0")) {
                exchange.getResponseHeaders().add("Docker-Content-Digest", NEW);
                exchange.sendResponseHeaders(200, -1);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.createContext("/broker", exchange -> {
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            repairs.add(CloudEventCodec.read(headers, exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        server.start();
        host = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void repairsAFirstEnvironmentThatLacksTheNewestImageOnce() {
        ImageReconciler reconciler = reconciler(record("1.0.0", OLD), null);

        Map<String, Object> first = summary(reconciler.reconcile(tick("t1")), RelayEventTypes.RECONCILE_COMPLETED);
        Map<String, Object> second = summary(reconciler.reconcile(tick("t2")), RelayEventTypes.RECONCILE_COMPLETED);

        assertThat(repairs).singleElement().satisfies(e -> {
            assertThat(e.getId()).isEqualTo("reconcile-web-app-" + NEW);
            assertThat(e.getType()).isEqualTo(RelayEventTypes.IMAGE_PUSHED);
            assertThat(e.getExtension("relayapp")).isEqualTo("web-app");
            assertThat(new String(e.getData().toBytes(), StandardCharsets.UTF_8))
                    .contains("\"image\":\"" + host + "/team/web-app\"", "\"tag\":\"1.1.0\"", NEW);
        });
        assertThat((List<?>) first.get("repaired")).hasSize(1);
        assertThat(second.get("skipped").toString()).contains("still pending");
    }

    @Test
    void leavesAnEnvironmentThatHasTheImageOrANewerOneOrHoldsItOut() {
        assertThat(summary(reconciler(record("1.1.0", NEW), null).reconcile(tick("a")),
                RelayEventTypes.RECONCILE_COMPLETED)).containsEntry("upToDate", List.of("web-app"));
        assertThat(summary(reconciler(record("2.0.0", OLD), null).reconcile(tick("b")),
                RelayEventTypes.RECONCILE_COMPLETED).get("skipped").toString()).contains("not older than 1.1.0");
        assertThat(summary(reconciler(record("1.0.0", OLD), NEW).reconcile(tick("c")),
                RelayEventTypes.RECONCILE_COMPLETED).get("skipped").toString()).contains("held out of development");
        assertThat(repairs).isEmpty();
    }

    @Test
    void aRegistryThatFailsIsAnErroredAnswerNamingIt() {
        tagStatus.set(500);

        Map<String, Object> summary = summary(reconciler(record("1.0.0", OLD), null).reconcile(tick("d")),
                RelayEventTypes.RECONCILE_ERRORED);

        assertThat(summary.get("errors").toString()).contains("web-app", "GET http://" + host
                + "/v2/team/web-app/tags/list", "HTTP 500");
        assertThat(repairs).isEmpty();
    }

    private ImageReconciler reconciler(String record, String held) {
        Map<String, String> files = new HashMap<>();
        files.put("apps/web-app/development.yaml", "image: x\n");
        if (record != null) {
            files.put(".relay/applied/web-app/development.yaml", record);
        }
        if (held != null) {
            files.put(".relay/holds/web-app/development.yaml", "held:\n  - digest: " + held + "\n");
        }
        Path remote = TempGitRepos.createBare(dir.resolve("srv-" + System.nanoTime()), "config", files);
        Map<String, String> p = new HashMap<>();
        p.put("relay.pipelines.web-app.image", host + "/team/web-app");
        p.put("relay.pipelines.web-app.config-repo.url", TempGitRepos.fileUrl(remote));
        p.put("relay.pipelines.web-app.environments[0].name", "development");
        p.put("relay.pipelines.web-app.environments[0].path", "apps/web-app/development.yaml");
        RelayProperties relay = new Binder(new MapConfigurationPropertySource(p)).bind("relay", RelayProperties.class)
                .orElseThrow(IllegalStateException::new);
        ReconcileProperties properties = new ReconcileProperties(20, 3, 100, Duration.ofSeconds(5), null,
                List.of(host), Duration.ofHours(1));
        GitOpsWriter git = new GitOpsWriter(new GitWriterSettings(dir.resolve("cache-" + System.nanoTime()), 50, 3,
                Duration.ofMillis(10), Duration.ofMillis(50), "Relay", "relay@example.com", Duration.ofSeconds(30)));
        RepairSink sink = new RepairSink(name -> name.equals("relay.reconcile.sink") ? "http://" + host + "/broker"
                : null, Duration.ofSeconds(5));
        return new ImageReconciler(relay, properties, git, new RegistryClient(properties), sink,
                java.time.Clock.systemUTC());
    }

    private static String record(String tag, String digest) {
        return """
                app: web-app
                environment: development
                image: registry/team/web-app
                newest:
                  eventId: "e-%1$s"
                  tag: "%1$s"
                  digest: %2$s
                applied:
                  - eventId: "e-%1$s"
                    tag: "%1$s"
                    digest: %2$s
                """.formatted(tag, digest);
    }

    private static CloudEvent tick(String id) {
        return CloudEventHttp.event(RelayEventTypes.RECONCILE_TICK, Map.of()).withId(id).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(CloudEvent answer, String type) {
        assertThat(answer.getType()).isEqualTo(type);
        return EventPayloads.mapper().readValue(answer.getData().toBytes(), Map.class);
    }
}
