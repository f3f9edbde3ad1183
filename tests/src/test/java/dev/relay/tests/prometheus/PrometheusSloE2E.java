package dev.relay.tests.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.relay.rollback.MetricRollbackFunction;
import dev.relay.rollback.PrometheusClient;
import dev.relay.rollback.SloCheck;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.ledger.VerifiedImage;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * on-metric-rollback against a real Prometheus (Debian package {@code prometheus}, installed by {@code .ci/run}):
 * Prometheus scrapes a small loopback HTTP server every second whose {@code http_requests_total} counters grow at an
 * error ratio this test controls; the pipeline's SLO is the default success-rate query with 15s windows (instead of
 * 5m) so the measured rate follows the ratio within seconds. A breach Prometheus confirms rolls back; a healthy ratio
 * answers {@code rollback.skipped} with the value Prometheus measured (named "SLO value": the query is configured).
 */
class PrometheusSloE2E {

    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final String APP = "web-app";
    static final String IMAGE = "registry.example.com/team/web-app";
    static final String GOOD = "sha256:" + "a".repeat(64);
    static final String BAD = "sha256:" + "b".repeat(64);
    static final String OVERLAY = "apps/web-app/overlays/production/kustomization.yaml";
    static final String QUERY = "sum(rate(http_requests_total{service=\"<app>\",status=~\"2..\"}[15s]))"
            + " / sum(rate(http_requests_total{service=\"<app>\"}[15s]))";
    /** Requests added per 100 ms tick: 2,000 per second. */
    static final int PER_TICK = 200;

    static Path work;
    static HttpServer target;
    static ScheduledExecutorService traffic;
    static Process prometheus;
    static int prometheusPort;
    static final AtomicLong ok = new AtomicLong();
    static final AtomicLong errors = new AtomicLong();
    static volatile double errorRatio = 0.005;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    Path remote;
    GitOpsWriter writer;
    MetricRollbackFunction function;

    @BeforeAll
    static void startPrometheusScrapingATestServer() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), PROMETHEUS + " is not installed (Debian package "
                + "prometheus; .ci/run installs it): the real-Prometheus SLO test is skipped");
        work = Files.createTempDirectory("relay-prometheus-e2e");
        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/metrics", exchange -> {
            byte[] body = """
                    # HELP http_requests_total Requests served, by status.
                    # TYPE http_requests_total counter
                    http_requests_total{service="web-app",status="200"} %d
                    http_requests_total{service="web-app",status="500"} %d
                    """.formatted(ok.get(), errors.get()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        target.start();
        traffic = Executors.newSingleThreadScheduledExecutor();
        traffic.scheduleAtFixedRate(() -> {
            long failed = Math.round(PER_TICK * errorRatio);
            errors.addAndGet(failed);
            ok.addAndGet(PER_TICK - failed);
        }, 0, 100, TimeUnit.MILLISECONDS);

        prometheusPort = freePort();
        Path config = Files.writeString(work.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: relay-e2e
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(target.getAddress().getPort()));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        await("Prometheus answers the SLO query (log: " + work.resolve("prometheus.log") + ")")
                .atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> successRate().isPresent());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(15, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (traffic != null) {
            traffic.shutdownNow();
        }
        if (target != null) {
            target.stop(0);
        }
        if (work != null) {
            TempGitRepos.deleteTree(work);
        }
    }

    @BeforeEach
    void productionRuns200WithItsPredecessorVerified() {
        remote = TempGitRepos.createBare(dir, "config", Map.of(OVERLAY, """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../base
                images:
                  - name: registry.example.com/team/web-app
                    newTag: "2.0.0"
                    digest: %s
                """.formatted(BAD)));
        Map<String, String> source = new LinkedHashMap<>();
        String prefix = "relay.pipelines." + APP + ".";
        source.put(prefix + "image", IMAGE);
        source.put(prefix + "config-repo.url", TempGitRepos.fileUrl(remote));
        source.put(prefix + "environments[0].name", "production");
        source.put(prefix + "environments[0].path", OVERLAY);
        source.put(prefix + "environments[0].pin-digest", "true");
        source.put(prefix + "rollback.prometheus.url", "http://127.0.0.1:" + prometheusPort);
        source.put(prefix + "rollback.slo.query", QUERY);
        source.put(prefix + "rollback.slo.condition", ">= 0.99");
        source.put("relay.git.cache-dir", dir.resolve("cache").toString());
        RelayProperties properties = new org.springframework.boot.context.properties.bind.Binder(
                new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(source))
                .bind("relay", RelayProperties.class).get();
        writer = new GitOpsWriter(properties.git().toWriterSettings());
        for (String[] verified : new String[][] {{"1.0.0", GOOD}, {"2.0.0", BAD}}) {
            writer.write(properties.pipeline(APP).orElseThrow().configRepo().toConfigRepository(),
                    VerificationLedger.record("verify-" + verified[0], "trace-" + verified[0], new VerifiedImage(APP,
                            "production", IMAGE, verified[0], verified[1], null, null, Instant.now())));
        }
        function = new MetricRollbackFunction(properties, writer,
                new SloCheck(new PrometheusClient(PrometheusClient.defaultHttpClient())), new SimpleMeterRegistry(),
                Clock.systemUTC());
    }

    @Test
    void shouldRollBackWhenPrometheusMeasuresTwentyPercentErrors() {
        errorRatio = 0.2;
        await("the 15s success rate reflects 20% errors").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> successRate().orElse(1) < 0.85);
        int before = commits();

        CloudEvent answer = function.apply(breach("trace-prometheus-breach"));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        Payloads.Rollback data = EventPayloads.read(answer, Payloads.Rollback.class);
        assertThat(data.fromImage()).isEqualTo(IMAGE + ":2.0.0@" + BAD);
        assertThat(data.toImage()).isEqualTo(IMAGE + ":1.0.0@" + GOOD);
        assertThat(commits()).isEqualTo(before + 1);
        assertThat(TempGitRepos.read(remote, "main", OVERLAY).orElseThrow())
                .contains("newTag: \"1.0.0\"").contains("digest: " + GOOD);
        String message = TempGitRepos.log(remote, "main").get(0).getFullMessage();
        assertThat(message).startsWith("rollback(web-app/production): 2.0.0 -> 1.0.0")
                .contains("Relay-Rolled-Back-Digest: " + BAD).contains("Relay-Image-Digest: " + GOOD);
        Matcher value = Pattern.compile("Relay-Metric-Value: ([0-9.]+)").matcher(message);
        assertThat(value.find()).as(message).isTrue();
        assertThat(Double.parseDouble(value.group(1))).isBetween(0.7, 0.9);
    }

    @Test
    void shouldSkipWithTheMeasuredValueWhenTheSuccessRateIsHealthy() {
        errorRatio = 0.005;
        await("the 15s success rate is healthy again").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> successRate().orElse(0) >= 0.993);
        int before = commits();

        CloudEvent answer = function.apply(breach("trace-prometheus-healthy"));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_SKIPPED);
        String reason = EventPayloads.read(answer, Payloads.Rollback.class).reason();
        Matcher measured = Pattern.compile("not confirmed by Prometheus: SLO value ([0-9.]+) >= 0\\.99")
                .matcher(reason);
        assertThat(measured.matches()).as(reason).isTrue();
        assertThat(Double.parseDouble(measured.group(1))).isBetween(0.99, 1.0);
        assertThat(commits()).isEqualTo(before);
        assertThat(TempGitRepos.read(remote, "main", OVERLAY).orElseThrow()).contains("digest: " + BAD);
    }

    private static CloudEvent breach(String trace) {
        return CloudEventHttp.event(RelayEventTypes.METRIC_BREACHED,
                        new Payloads.MetricBreached(APP, "production", "http_success_rate", 0.8, 0.99))
                .withExtension(RelayExtensions.TRACE, trace).withExtension(RelayExtensions.APP, APP).build();
    }

    /** The SLO query's current value, straight from Prometheus' HTTP API. */
    static OptionalDouble successRate() throws IOException, InterruptedException {
        String query = QUERY.replace("<app>", APP);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + prometheusPort + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return OptionalDouble.empty();
        }
        JsonNode result = EventPayloads.mapper().readTree(response.body()).path("data").path("result");
        if (!result.isArray() || result.isEmpty()) {
            return OptionalDouble.empty();
        }
        double value = Double.parseDouble(result.get(0).path("value").get(1).asString());
        return Double.isNaN(value) ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    private int commits() {
        return TempGitRepos.log(remote, "main").size();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
