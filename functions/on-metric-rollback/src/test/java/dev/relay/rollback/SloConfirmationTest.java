package dev.relay.rollback;

import static dev.relay.rollback.RollbackFixtures.DIGEST_A;
import static dev.relay.rollback.RollbackFixtures.DIGEST_B;
import static dev.relay.rollback.RollbackFixtures.OVERLAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A breach is confirmed against a (fake) Prometheus HTTP API before anything is reverted. */
class SloConfirmationTest {

    @TempDir
    Path dir;

    private HttpServer prometheus;
    private volatile int status = 200;
    private volatile String body;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private Path remote;

    @BeforeEach
    void start() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        prometheus.createContext("/api/v1/query", exchange -> {
            String raw = exchange.getRequestURI().getRawQuery();
            for (String pair : raw.split("&")) {
                if (pair.startsWith("query=")) {
                    queries.add(URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8));
                }
            }
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        prometheus.start();
        remote = TempGitRepos.createBare(dir, "config", RollbackFixtures.files());
    }

    @AfterEach
    void stop() {
        prometheus.stop(0);
    }

    @Test
    void shouldSkipABreachPrometheusDoesNotConfirmAndNameTheMeasuredValue() throws IOException {
        MetricRollbackFunction function = function(Map.of());
        answer(vector("0.998"));
        int before = commits();

        CloudEvent answer = function.apply(RollbackFixtures.breached("development", "trace-healthy"));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_SKIPPED);
        assertThat(EventPayloads.read(answer, Payloads.Rollback.class).reason())
                .isEqualTo("not confirmed by Prometheus: success rate 0.998 >= 0.99");
        assertThat(commits()).isEqualTo(before);
        assertThat(queries).containsExactly(SloQuery.DEFAULT.replace("<app>", "web-app"));
        assertThat(authorizations).containsExactly("Bearer prom-token-123");
    }

    @Test
    void shouldRollBackAConfirmedBreachWithTheMeasuredValueAndNotAskAgainOnRedelivery() {
        MetricRollbackFunction function = function(Map.of());
        answer(vector("0.75"));
        CloudEvent breach = RollbackFixtures.breached("development", "trace-confirmed");

        CloudEvent answer = function.apply(breach);

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        String message = TempGitRepos.log(remote, "main").get(0).getFullMessage();
        assertThat(message).contains("Relay-Metric-Value: 0.75")
                .contains("Prometheus: success rate 0.75, SLO >= 0.99");
        assertThat(TempGitRepos.read(remote, "main", OVERLAY).orElseThrow()).contains("digest: " + DIGEST_A);

        answer(vector("1"));
        int after = commits();
        CloudEvent redelivered = function.apply(breach);

        assertThat(redelivered.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        assertThat(EventPayloads.read(redelivered, Payloads.Rollback.class).commit())
                .isEqualTo(EventPayloads.read(answer, Payloads.Rollback.class).commit());
        assertThat(queries).hasSize(1);
        assertThat(commits()).isEqualTo(after);
    }

    @Test
    void shouldNotRollBackOnMissingDataUnlessConfigured() {
        MetricRollbackFunction skipOnMissingData = function(Map.of());
        answer("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
        int before = commits();

        CloudEvent empty = skipOnMissingData.apply(RollbackFixtures.breached("development", "trace-empty"));

        assertThat(empty.getType()).isEqualTo(RelayEventTypes.ROLLBACK_SKIPPED);
        assertThat(EventPayloads.read(empty, Payloads.Rollback.class).reason()).startsWith("no data")
                .contains("no series");
        answer(vector("NaN"));
        CloudEvent nan = skipOnMissingData.apply(RollbackFixtures.breached("development", "trace-nan"));
        assertThat(EventPayloads.read(nan, Payloads.Rollback.class).reason()).startsWith("no data")
                .contains("NaN");
        assertThat(commits()).isEqualTo(before);

        CloudEvent rolledBack = function(Map.of("on-missing-data", "rollback"))
                .apply(RollbackFixtures.breached("development", "trace-missing-rollback"));

        assertThat(rolledBack.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        assertThat(commits()).isEqualTo(before + 1);
    }

    @Test
    void shouldUseACustomQueryAndConditionOnAScalar() {
        MetricRollbackFunction function = function(Map.of(
                "slo.query", "scalar(sum(rate(errors_total{app=\"<app>\",env=\"<environment>\"}[1m])))",
                "slo.condition", "< 0.05"));
        answer("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.1,\"0.01\"]}}");

        CloudEvent answer = function.apply(RollbackFixtures.breached("development", "trace-custom"));

        assertThat(EventPayloads.read(answer, Payloads.Rollback.class).reason())
                .isEqualTo("not confirmed by Prometheus: SLO value 0.01 < 0.05");
        assertThat(queries).containsExactly(
                "scalar(sum(rate(errors_total{app=\"web-app\",env=\"development\"}[1m])))");
    }

    @Test
    void shouldAnswerRetryableProblemsWhenPrometheusIsDownOrRejectsTheQuery() throws IOException {
        MetricRollbackFunction function = function(Map.of());
        int before = commits();
        status = 503;
        answer("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"overloaded\"}");

        EventRetryableException down = catchThrowableOfType(EventRetryableException.class,
                () -> function.apply(RollbackFixtures.breached("development", "trace-503")));

        assertThat(down.status()).isEqualTo(503);
        assertThat(down.problemType()).isEqualTo("prometheus-unavailable");

        status = 400;
        answer("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}");
        EventRetryableException rejected = catchThrowableOfType(EventRetryableException.class,
                () -> function.apply(RollbackFixtures.breached("development", "trace-400")));
        assertThat(rejected.status()).isEqualTo(500);
        assertThat(rejected.problemType()).isEqualTo("slo-query-rejected");
        assertThat(rejected.detail()).contains("bad_data parse error");

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        EventRetryableException unreachable = catchThrowableOfType(EventRetryableException.class,
                () -> function(Map.of("prometheus.url", "http://127.0.0.1:" + closedPort))
                        .apply(RollbackFixtures.breached("development", "trace-unreachable")));
        assertThat(unreachable.status()).isEqualTo(503);
        assertThat(unreachable.detail()).contains("unreachable").doesNotContain("prom-token-123");
        assertThat(commits()).isEqualTo(before);
    }

    @Test
    void shouldNeverAskPrometheusAboutAFailedVerification() {
        MetricRollbackFunction function = function(Map.of());
        answer(vector("1"));

        CloudEvent answer = function.apply(RollbackFixtures.verifyFailed("development", "2.0.0", DIGEST_B));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        assertThat(queries).isEmpty();
    }

    private MetricRollbackFunction function(Map<String, String> rollback) {
        Map<String, String> source = new java.util.LinkedHashMap<>(RollbackFixtures.pipeline(
                TempGitRepos.fileUrl(remote), dir.resolve("cache")));
        String prefix = "relay.pipelines.web-app.rollback.";
        source.put(prefix + "prometheus.url", "http://127.0.0.1:" + prometheus.getAddress().getPort());
        source.put(prefix + "prometheus.bearer-token-file", token().toString());
        rollback.forEach((key, value) -> source.put(prefix + key, value));
        RelayProperties properties = RollbackFixtures.bind(source);
        GitOpsWriter writer = new GitOpsWriter(properties.git().toWriterSettings());
        if (TempGitRepos.trailerValues(remote, "main", "Relay-Verified-Digest").isEmpty()) {
            RollbackFixtures.verified(writer, properties, "development", "1.0.0", DIGEST_A);
            RollbackFixtures.verified(writer, properties, "development", "2.0.0", DIGEST_B);
        }
        return new MetricRollbackFunction(properties, writer,
                new SloCheck(new PrometheusClient(PrometheusClient.defaultHttpClient())), new SimpleMeterRegistry(),
                Clock.systemUTC());
    }

    private Path token() {
        try {
            return Files.writeString(dir.resolve("prometheus-token"), "prom-token-123\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void answer(String json) {
        body = json;
    }

    private static String vector(String value) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                + "\"value\":[1700000000.123,\"" + value + "\"]}]}}";
    }

    private int commits() {
        return TempGitRepos.log(remote, "main").size();
    }
}
