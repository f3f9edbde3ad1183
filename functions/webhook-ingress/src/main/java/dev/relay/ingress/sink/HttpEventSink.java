package dev.relay.ingress.sink;

import dev.relay.ingress.IngressProperties;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * Posts events in binary mode to the broker. The broker URI is read from the Environment at each send:
 * {@code relay.ingress.sink}, else {@code K_SINK} (injected by a Knative SinkBinding) — so a value that only resolves
 * once the server runs ({@code ${local.server.port}} in relay-local) works, and nothing fails at start-up. The request
 * carries the current span as HTTP {@code traceparent}, as Knative's broker ingress expects.
 *
 * <p>With Knative Eventing's {@code authentication-oidc} feature the SinkBinding mounts an OIDC token for the
 * broker's audience at {@code /oidc/token} ({@code relay.ingress.sink-token-file}); when that file exists it is read at
 * each send (the token is rotated) and sent as {@code Authorization: Bearer}, so the Broker's EventPolicy can tell
 * webhook-ingress from any other sender.
 */
public final class HttpEventSink implements EventSink {

    private static final Logger log = LoggerFactory.getLogger(HttpEventSink.class);
    static final String K_SINK = "K_SINK";
    static final String SINK_TOKEN_FILE_PROPERTY = "relay.ingress.sink-token-file";
    static final String SINK_BINDING_TOKEN_FILE = "/oidc/token";

    private final Environment environment;
    private final IngressProperties properties;
    private final HttpClient client;
    private final EventTracing tracing;

    public HttpEventSink(Environment environment, IngressProperties properties, EventTracing tracing) {
        this.environment = environment;
        this.properties = properties;
        this.tracing = tracing;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public void send(CloudEvent event) {
        URI sink = sink();
        CloudEventCodec.HttpEvent http = CloudEventCodec.write(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(properties.sinkTimeout());
        http.headers().forEach(request::header);
        tracing.currentContext().forEach(request::header);
        sinkToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        HttpResponse<Void> response;
        try {
            response = client.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(http.body())).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (HttpTimeoutException e) {
            throw EventRetryableException.unavailable("broker-timeout", "Broker did not answer in time",
                    "The broker did not accept event " + event.getId() + " within " + properties.sinkTimeout()
                            + "; redeliver the webhook.", e);
        } catch (IOException e) {
            log.warn("broker {} unreachable: {}", sink, e.toString());
            throw EventRetryableException.unavailable("broker-unreachable", "Broker unreachable",
                    "The broker could not be reached; redeliver the webhook.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EventRetryableException.unavailable("broker-unreachable", "Interrupted",
                    "Forwarding was interrupted; redeliver the webhook.", e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            log.warn("broker {} answered {} for event {}", sink, status, event.getId());
            throw new EventRetryableException(502, "broker-rejected", "Broker refused the event",
                    "The broker answered HTTP " + status + " for event " + event.getId() + "; redeliver the webhook.",
                    null);
        }
    }

    /** The OIDC token the SinkBinding mounted, if it did (Eventing's authentication-oidc feature is on). */
    Optional<String> sinkToken() {
        Path file = Path.of(environment.getProperty(SINK_TOKEN_FILE_PROPERTY, SINK_BINDING_TOKEN_FILE));
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(file).strip();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        } catch (IOException e) {
            throw EventRetryableException.unavailable("sink-token-unreadable", "Broker token unreadable",
                    "The OIDC token for the broker (" + SINK_TOKEN_FILE_PROPERTY + ") could not be read; redeliver the"
                            + " webhook.", e);
        }
    }

    /** The broker URI as configured right now. */
    URI sink() {
        String configured = environment.getProperty(IngressProperties.SINK_PROPERTY);
        String source = IngressProperties.SINK_PROPERTY;
        if (configured == null || configured.isBlank()) {
            configured = environment.getProperty(K_SINK);
            source = K_SINK;
        }
        if (configured == null || configured.isBlank()) {
            throw EventRetryableException.unavailable("no-sink", "No broker configured",
                    "webhook-ingress has nowhere to send events: set " + IngressProperties.SINK_PROPERTY + " or "
                            + K_SINK + " (a Knative SinkBinding injects " + K_SINK + ").", null);
        }
        try {
            URI uri = URI.create(configured.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw EventRetryableException.unavailable("invalid-sink", "Broker address invalid",
                source + " is not an absolute http(s) URL.", null);
    }
}
