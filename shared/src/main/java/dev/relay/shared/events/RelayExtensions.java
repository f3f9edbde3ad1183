package dev.relay.shared.events;

import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Optional;

/** Extension attributes carried from the first event of a chain to the last. */
public final class RelayExtensions {

    public static final String TRACE = "relaytrace";
    public static final String APP = "relayapp";
    public static final String ENVIRONMENT = "relayenv";
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    /**
     * Every extension an answer inherits from the event it answers. Not {@code traceparent}/{@code tracestate}: an
     * answer names its own span there, set where it is sent ({@code dev.relay.shared.tracing.EventTracing#stamp}).
     */
    public static final List<String> CHAIN = List.of(TRACE, APP, ENVIRONMENT);

    private RelayExtensions() {
    }

    public static Optional<String> read(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null || value.toString().isBlank() ? Optional.empty() : Optional.of(value.toString());
    }

    /** The chain's correlation id: {@code relaytrace}, or the event's own id when it starts a chain. */
    public static String traceOf(CloudEvent event) {
        return read(event, TRACE).orElse(event.getId());
    }
}
