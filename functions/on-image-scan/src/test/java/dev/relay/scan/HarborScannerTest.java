package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harbor backend against a loopback HTTP server that answers like Harbor's artifact additions API. */
class HarborScannerTest {

    private static final String IMAGE = "harbor.example.com/team/web/app";
    private static final String PATH = "/api/v2.0/projects/team/repositories/web%252Fapp/artifacts/"
            + ScanFixtures.DIGEST + "/additions/vulnerabilities";

    @TempDir
    Path dir;

    HttpServer harbor;
    final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    final Map<String, String> bodies = new ConcurrentHashMap<>();
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startHarbor() throws IOException {
        harbor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        harbor.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            requests.add(Map.of("path", path,
                    "authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                    "accept", String.valueOf(exchange.getRequestHeaders().getFirst("X-Accept-Vulnerabilities"))));
            byte[] body = bodies.getOrDefault(path, "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(statuses.getOrDefault(path, 404), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        harbor.start();
    }

    @AfterEach
    void stopHarbor() {
        harbor.stop(0);
    }

    @Test
    void shouldJudgeTheReportHarborProducedForTheDigest() throws IOException {
        serve(200, ScanFixtures.resource("/harbor/harbor.json"));

        CloudEvent answer = function(true).apply(ScanFixtures.pushed(IMAGE, "1.2.0", ScanFixtures.DIGEST));

        // harbor.json: CVE-2011-3374 in apt (Low, no fix) and CVE-2020-22218 in libssh2-1 (High, no fix).
        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_FAILED);
        assertThat(ScanFixtures.data(answer)).containsEntry("blocking", List.of("CVE-2020-22218"))
                .containsEntry("counts", Map.of("critical", 0, "high", 1, "medium", 0, "low", 1, "unknown", 0));
        assertThat(requests).singleElement().satisfies(request -> {
            assertThat(request.get("path")).isEqualTo(PATH);
            assertThat(request.get("authorization")).isEqualTo("Basic "
                    + java.util.Base64.getEncoder().encodeToString("robot$relay:s3cret".getBytes(StandardCharsets.UTF_8)));
            assertThat(request.get("accept")).contains(HarborReportParser.MIME_V11);
        });
    }

    @Test
    void shouldAnswer503UntilHarborHasAReport() {
        serve(200, "{}");
        assertThatThrownBy(() -> function(true).apply(ScanFixtures.pushed(IMAGE, "1.2.0", ScanFixtures.DIGEST)))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.problemType()).isEqualTo("scan-in-progress");
                });

        serve(502, "bad gateway");
        assertThatThrownBy(() -> function(true).apply(ScanFixtures.pushed(IMAGE, "1.2.0", ScanFixtures.DIGEST)))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> assertThat(e.status()).isEqualTo(503));
    }

    @Test
    void shouldAnswerErroredForBadCredentialsAnUnknownArtifactAndABadReport() {
        serve(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
        CloudEvent unauthorized = function(true).apply(ScanFixtures.pushed(IMAGE, "1.2.0", ScanFixtures.DIGEST));
        assertThat(unauthorized.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        assertThat((String) ScanFixtures.data(unauthorized).get("reason")).contains("HTTP 401")
                .contains("harbor.username-file").doesNotContain("s3cret");

        CloudEvent unknown = function(true).apply(ScanFixtures.pushed(IMAGE, "1.2.0", ScanFixtures.OTHER_DIGEST));
        assertThat(unknown.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        assertThat((String) ScanFixtures.data(unknown).get("reason")).contains("not found (HTTP 404)");

        serve(200, "[1, 2]");
        assertThat(function(true).apply(ScanFixtures.pushed(IMAGE, "1.2.0", ScanFixtures.DIGEST)).getType())
                .isEqualTo(RelayEventTypes.SCAN_ERRORED);
    }

    @Test
    void shouldSplitProjectAndRepositoryFromTheImage() {
        assertThat(HarborScanner.artifact("harbor.example.com/team/web-app", null))
                .contains(new HarborScanner.Artifact("team", "web-app"));
        assertThat(HarborScanner.artifact("localhost:8443/team/a/b", null))
                .contains(new HarborScanner.Artifact("team", "a/b"));
        assertThat(HarborScanner.artifact("harbor.example.com/web-app", null)).isEmpty();
        assertThat(HarborScanner.artifact("harbor.example.com/web-app", "library"))
                .contains(new HarborScanner.Artifact("library", "web-app"));
    }

    private void serve(int status, String body) {
        statuses.put(PATH, status);
        bodies.put(PATH, body);
    }

    private ImageScanFunction function(boolean credentials) throws RuntimeException {
        Map<String, String> p = new HashMap<>(ScanFixtures.pipeline("web-app", "harbor"));
        p.put("relay.pipelines.web-app.image", IMAGE);
        p.put("relay.pipelines.web-app.scan.harbor.url", "http://127.0.0.1:" + harbor.getAddress().getPort());
        if (credentials) {
            try {
                Path user = Files.writeString(dir.resolve("username"), "robot$relay\n");
                Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
                p.put("relay.pipelines.web-app.scan.harbor.username-file", user.toString());
                p.put("relay.pipelines.web-app.scan.harbor.password-file", password.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        KubernetesAccess none = new KubernetesAccess(() -> null, ImageScanFunction.WITHOUT_CLUSTER, Map.of(),
                Path.of("/nonexistent"), Path.of("/nonexistent"));
        return new ImageScanFunction(ScanFixtures.bind(p), none, new ScanMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC());
    }
}
