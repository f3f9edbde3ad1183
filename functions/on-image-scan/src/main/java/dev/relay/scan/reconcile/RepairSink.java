package dev.relay.scan.reconcile;

import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRetryableException;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * Posts a repair (an ordinary event) to the broker, in binary mode: {@code relay.reconcile.sink}, else {@code K_SINK}
 * (a Knative SinkBinding injects it), read at each send. A broker that does not take it fails the tick with 503, so
 * the tick is redelivered; repairs have deterministic ids, so a redelivered tick repeats no effect.
 */
public final class RepairSink {

    static final String K_SINK = "K_SINK";

    private final Function<String, String> environment;
    private final HttpClient client;
    private final Duration timeout;

    public RepairSink(Function<String, String> environment, Duration timeout) {
        this.environment = environment;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public void send(CloudEvent event) {
        URI sink = sink();
        CloudEventCodec.HttpEvent http = CloudEventCodec.write(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(timeout);
        http.headers().forEach(request::header);
        int status;
        try {
            status = client.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(http.body())).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw EventRetryableException.unavailable("broker-unreachable", "Broker unreachable",
                    "Reconcile could not post repair " + event.getId() + " to the broker; redeliver the tick.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EventRetryableException.unavailable("interrupted", "Interrupted",
                    "Posting repair " + event.getId() + " was interrupted; redeliver the tick.", e);
        }
        if (status < 200 || status > 299) {
            throw new EventRetryableException(502, "broker-rejected", "Broker refused a repair",
                    "The broker answered HTTP " + status + " for repair " + event.getId() + "; redeliver the tick.",
                    null);
        }
    }

    URI sink() {
        String configured = environment.apply("relay.reconcile.sink");
        String source = "relay.reconcile.sink";
        if (configured == null || configured.isBlank()) {
            configured = environment.apply(K_SINK);
            source = K_SINK;
        }
        if (configured == null || configured.isBlank()) {
            throw EventRetryableException.unavailable("no-sink", "No broker configured",
                    "on-image-scan has nowhere to post reconcile repairs: set relay.reconcile.sink or " + K_SINK
                            + " (knative/on-image-scan/sinkbinding.yaml injects " + K_SINK + ").", null);
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
