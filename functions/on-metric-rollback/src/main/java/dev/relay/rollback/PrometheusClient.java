package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.http.EventRetryableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Evaluates one instant query through Prometheus' HTTP API ({@code GET <url>/api/v1/query}) and reads the first
 * sample of the vector (or the scalar). Prometheus being down or overloaded is transient (503, the broker retries);
 * a query Prometheus rejects or a credential it refuses is the configuration's fault, reported as a 5xx problem that
 * names it, so the event ends in the dead letters instead of being dropped.
 */
public final class PrometheusClient {

    /** What one query measured. */
    public sealed interface Measurement permits Value, NoData {
    }

    public record Value(double value, int series) implements Measurement {
    }

    public record NoData(String detail) implements Measurement {
    }

    private static final int MAX_BODY = 1 << 20;

    private final HttpClient http;

    public PrometheusClient(HttpClient http) {
        this.http = http;
    }

    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public Measurement query(RelayProperties.Prometheus prometheus, String promql, Duration timeout) {
        String base = prometheus.url().endsWith("/") ? prometheus.url().substring(0, prometheus.url().length() - 1)
                : prometheus.url();
        URI uri = URI.create(base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&timeout=" + Math.max(1, timeout.toMillis()) + "ms");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Accept", "application/json");
        if (prometheus.bearerTokenFile() != null) {
            request.header("Authorization", "Bearer " + token(prometheus));
        }
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
        } catch (HttpTimeoutException e) {
            throw unavailable("Prometheus did not answer within " + timeout.toMillis() + " ms (" + base + ").", e);
        } catch (IOException e) {
            throw unavailable("Prometheus at " + base + " is unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while querying Prometheus at " + base, e);
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new EventRetryableException(502, "prometheus-authentication-failed",
                    "Prometheus rejected Relay's credential", "Prometheus at " + base + " answered " + status + ".",
                    null);
        }
        if (status == 400 || status == 422) {
            throw new EventRetryableException(500, "slo-query-rejected", "Prometheus rejected the SLO query",
                    "Prometheus at " + base + " answered " + status + " to '" + promql + "': " + error(body), null);
        }
        if (status != 200) {
            throw unavailable("Prometheus at " + base + " answered " + status + ".", null);
        }
        if (body.length > MAX_BODY) {
            throw new EventRetryableException(500, "slo-query-too-large", "The SLO query returned too much",
                    "The answer to '" + promql + "' exceeds " + MAX_BODY + " bytes; the query must return one series.",
                    null);
        }
        return measurement(promql, body);
    }

    static Measurement measurement(String promql, byte[] body) {
        JsonNode root;
        try {
            root = EventPayloads.mapper().readTree(body);
        } catch (JacksonException e) {
            throw unexpected(promql, "the answer is not JSON");
        }
        if (!"success".equals(root.path("status").asString(""))) {
            throw unexpected(promql, "status " + root.path("status").asString("?") + ": " + error(body));
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asString("");
        JsonNode result = data.path("result");
        JsonNode sample;
        int series;
        switch (type) {
            case "vector" -> {
                if (!result.isArray() || result.isEmpty()) {
                    return new NoData("the query returned no series");
                }
                sample = result.get(0).path("value");
                series = result.size();
            }
            case "scalar" -> {
                sample = result;
                series = 1;
            }
            default -> throw unexpected(promql, "the query returned a " + (type.isEmpty() ? "missing" : type)
                    + " result; it must return an instant vector or a scalar");
        }
        if (!sample.isArray() || sample.size() != 2) {
            throw unexpected(promql, "a sample is not [time, value]");
        }
        String text = sample.get(1).asString("");
        double value;
        try {
            value = Double.parseDouble(text.replace("Inf", "Infinity"));
        } catch (NumberFormatException e) {
            throw unexpected(promql, "the sample value is not a number");
        }
        if (Double.isNaN(value)) {
            return new NoData("the query returned NaN (no requests in the window)");
        }
        return new Value(value, series);
    }

    private static String token(RelayProperties.Prometheus prometheus) {
        try {
            String token = Files.readString(prometheus.bearerTokenFile(), StandardCharsets.UTF_8).strip();
            if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
                throw new IOException("empty or not one line");
            }
            return token;
        } catch (IOException e) {
            throw new EventRetryableException(500, "prometheus-credential-unreadable",
                    "The Prometheus bearer token cannot be read",
                    "rollback.prometheus.bearer-token-file " + prometheus.bearerTokenFile() + " is unreadable or "
                            + "not a token.", null);
        }
    }

    private static String error(byte[] body) {
        try {
            JsonNode root = EventPayloads.mapper().readTree(body);
            String message = root.path("errorType").asString("") + " " + root.path("error").asString("");
            return printable(message.strip());
        } catch (JacksonException e) {
            return "(no JSON error)";
        }
    }

    private static String printable(String text) {
        String shown = text.length() > 300 ? text.substring(0, 300) + "…" : text;
        return shown.replaceAll("[\\p{Cntrl}]", " ");
    }

    private static EventRetryableException unavailable(String detail, Throwable cause) {
        return EventRetryableException.unavailable("prometheus-unavailable", "Prometheus is unavailable", detail,
                cause);
    }

    private static EventRetryableException unexpected(String promql, String why) {
        return new EventRetryableException(500, "slo-query-unusable", "The SLO query's answer cannot be used",
                "'" + promql + "': " + why + ".", null);
    }
}
