package dev.relay.ingress.sink;

import io.cloudevents.CloudEvent;

/** Where converted events go: the broker. */
public interface EventSink {

    /**
     * Delivers one event; returns once the broker accepted it (2xx).
     *
     * @throws dev.relay.shared.http.EventRetryableException 502/503 when the broker is not configured, unreachable,
     *                                                       slow or refuses: the producer should redeliver
     */
    void send(CloudEvent event);
}
