package dev.relay.tests.support;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.testing.CloudEventHttp;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** relay-local's recent events as {@code GET /broker/events} answers them, and the parts of one event tests read. */
public final class BrokerEventLog {

    private BrokerEventLog() {
    }

    /** The newest {@code limit} events of the relay-local at {@code base} ({@code http://127.0.0.1:<port>}). */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> events(String base, int limit) {
        return EventPayloads.mapper().readValue(
                CloudEventHttp.get(URI.create(base + "/broker/events?limit=" + limit)).body(), List.class);
    }

    /** The event's {@code data} object; empty when it has none. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> data(Map<String, Object> event) {
        return event.get("data") instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** The event's extension attributes; empty when it has none. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> extensions(Map<String, Object> event) {
        return event.get("extensions") instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }
}
