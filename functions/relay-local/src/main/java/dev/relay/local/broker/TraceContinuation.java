package dev.relay.local.broker;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.tracing.TraceParent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the trace a producer started: an event that arrives without a {@code traceparent} attribute but with a
 * valid W3C {@code traceparent} HTTP header (and {@code tracestate}) gets them as its Distributed Tracing
 * extension, which the broker forwards to every subscriber.
 */
final class TraceContinuation {

    private TraceContinuation() {
    }

    static CloudEvent continueTrace(CloudEvent event, Map<String, String> httpHeaders) {
        if (event.getExtension(RelayExtensions.TRACEPARENT) != null) {
            return event;
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        httpHeaders.forEach((name, value) -> {
            if (name != null && value != null) {
                headers.putIfAbsent(name, value);
            }
        });
        return TraceParent.parse(headers.get(RelayExtensions.TRACEPARENT)).map(traceParent -> {
            CloudEventBuilder builder = CloudEventBuilder.v1(event)
                    .withExtension(RelayExtensions.TRACEPARENT, traceParent.value());
            String traceState = headers.get(RelayExtensions.TRACESTATE);
            if (traceState != null && !traceState.isBlank() && traceState.length() <= 512
                    && traceState.chars().noneMatch(Character::isISOControl)) {
                builder.withExtension(RelayExtensions.TRACESTATE, traceState);
            }
            return builder.build();
        }).orElse(event);
    }
}
