package dev.relay.shared.http;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts a function's events in binary mode to its broker. Everything is read at each post, so a value that only
 * resolves once the server runs ({@code ${local.server.port}} in relay-local) works and nothing fails at start-up:
 * <ul>
 * <li>the broker URI: the function's {@linkplain Route#sinkProperty sink property}, else {@code K_SINK} (injected by
 * a Knative SinkBinding);</li>
 * <li>the OIDC token for the broker's audience that the SinkBinding mounts with Eventing's
 * {@code authentication-oidc} feature: the file the {@linkplain Route#tokenFileProperty token-file property} names,
 * else {@value #SINK_BINDING_TOKEN_FILE}; re-read each time (it is rotated) and sent as
 * {@code Authorization: Bearer}, so the Broker's EventPolicy can tell the sender; no file, no header;</li>
 * <li>the current trace context, as HTTP {@code traceparent}, as Knative's broker ingress expects.</li>
 * </ul>
 * A broker that does not take the event (timeout, unreachable, non-2xx, unreadable token, no or invalid address) is an
 * {@link EventRetryableException}, so the caller's own event is redelivered.
 */
public final class BrokerPoster {

    public static final String K_SINK = "K_SINK";
    public static final String SINK_BINDING_TOKEN_FILE = "/oidc/token";

    private static final Logger log = LoggerFactory.getLogger(BrokerPoster.class);

    /**
     * Whose events go where.
     *
     * @param function          the posting function, named in problems
     * @param sinkProperty      the property naming the broker (before {@code K_SINK})
     * @param tokenFileProperty the property naming the OIDC token file (default {@value #SINK_BINDING_TOKEN_FILE})
     * @param retry             what the sender of the caller's event should do, ending each problem's detail
     *                          ("redeliver the webhook")
     */
    public record Route(String function, String sinkProperty, String tokenFileProperty, String retry) {

        public Route {
            Objects.requireNonNull(function, "function");
            Objects.requireNonNull(sinkProperty, "sinkProperty");
            Objects.requireNonNull(tokenFileProperty, "tokenFileProperty");
            Objects.requireNonNull(retry, "retry");
        }
    }

    private final Route route;
    private final Function<String, String> environment;
    private final Duration timeout;
    private final Supplier<Map<String, String>> traceContext;
    private final HttpClient client;

    /**
     * @param environment  property lookup ({@code Environment::getProperty}); {@code null} for unset
     * @param traceContext the current trace context as HTTP headers ({@code EventTracing::currentContext})
     */
    public BrokerPoster(Route route, Function<String, String> environment, Duration connectTimeout, Duration timeout,
            Supplier<Map<String, String>> traceContext) {
        this.route = Objects.requireNonNull(route, "route");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.traceContext = Objects.requireNonNull(traceContext, "traceContext");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public void post(CloudEvent event) {
        URI sink = sink();
        CloudEventCodec.HttpEvent http = CloudEventCodec.write(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(timeout);
        http.headers().forEach(request::header);
        traceContext.get().forEach(request::header);
        token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        int status;
        try {
            status = client.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(http.body())).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (HttpTimeoutException e) {
            throw EventRetryableException.unavailable("broker-timeout", "Broker did not answer in time",
                    "The broker did not accept event " + event.getId() + " within " + timeout + "; " + route.retry()
                            + ".", e);
        } catch (IOException e) {
            log.warn("broker {} unreachable: {}", sink, e.toString());
            throw EventRetryableException.unavailable("broker-unreachable", "Broker unreachable",
                    route.function() + " could not reach the broker with event " + event.getId() + "; "
                            + route.retry() + ".", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EventRetryableException.unavailable("broker-unreachable", "Interrupted",
                    "Posting event " + event.getId() + " was interrupted; " + route.retry() + ".", e);
        }
        if (status < 200 || status > 299) {
            log.warn("broker {} answered {} for event {}", sink, status, event.getId());
            throw new EventRetryableException(502, "broker-rejected", "Broker refused the event",
                    "The broker answered HTTP " + status + " for event " + event.getId() + "; " + route.retry() + ".",
                    null);
        }
    }

    /** The broker URI as configured right now. */
    public URI sink() {
        String configured = environment.apply(route.sinkProperty());
        String source = route.sinkProperty();
        if (configured == null || configured.isBlank()) {
            configured = environment.apply(K_SINK);
            source = K_SINK;
        }
        if (configured == null || configured.isBlank()) {
            throw EventRetryableException.unavailable("no-sink", "No broker configured",
                    route.function() + " has nowhere to send events: set " + route.sinkProperty() + " or " + K_SINK
                            + " (a Knative SinkBinding injects " + K_SINK + ").", null);
        }
        String named = source;
        return httpUrl(configured).orElseThrow(() -> EventRetryableException.unavailable("invalid-sink",
                "Broker address invalid", named + " is not an absolute http(s) URL.", null));
    }

    /** The OIDC token the SinkBinding mounted, if it did (Eventing's authentication-oidc feature is on). */
    Optional<String> token() {
        String configured = environment.apply(route.tokenFileProperty());
        Path file = Path.of(configured == null || configured.isBlank() ? SINK_BINDING_TOKEN_FILE : configured.trim());
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(file).strip();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        } catch (IOException e) {
            throw EventRetryableException.unavailable("sink-token-unreadable", "Broker token unreadable",
                    "The OIDC token for the broker (" + route.tokenFileProperty() + ") could not be read; "
                            + route.retry() + ".", e);
        }
    }

    /** {@code value} as an absolute http(s) URL with a host, if it is one. */
    public static Optional<URI> httpUrl(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(value.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (IllegalArgumentException e) {
            // not a URI: not an http(s) URL either
        }
        return Optional.empty();
    }
}
