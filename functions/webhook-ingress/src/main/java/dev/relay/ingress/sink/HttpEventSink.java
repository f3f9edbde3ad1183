package dev.relay.ingress.sink;

import dev.relay.ingress.IngressProperties;
import dev.relay.shared.http.BrokerPoster;
import dev.relay.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import org.springframework.core.env.Environment;

/**
 * Posts webhook-ingress's events to the broker with a {@link BrokerPoster}: the broker is {@code relay.ingress.sink},
 * else {@code K_SINK}; the SinkBinding's OIDC token is {@code relay.ingress.sink-token-file}, else
 * {@code /oidc/token}; both read at each send. A broker that does not take an event fails the webhook with 502/503,
 * so the producer redelivers it.
 */
public final class HttpEventSink implements EventSink {

    static final String SINK_TOKEN_FILE_PROPERTY = "relay.ingress.sink-token-file";

    private final BrokerPoster poster;

    public HttpEventSink(Environment environment, IngressProperties properties, EventTracing tracing) {
        this.poster = new BrokerPoster(new BrokerPoster.Route("webhook-ingress", IngressProperties.SINK_PROPERTY,
                SINK_TOKEN_FILE_PROPERTY, "redeliver the webhook"), environment::getProperty,
                properties.connectTimeout(), properties.sinkTimeout(), tracing::currentContext);
    }

    @Override
    public void send(CloudEvent event) {
        poster.post(event);
    }
}
