package dev.relay.local.broker;

import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The broker's memory of recent traffic: a bounded ring of received events, each with the outcome of its
 * deliveries (dead letters live in the {@link BrokerJournal}). Thread-safe; views are immutable snapshots.
 */
public final class EventLog {

    /** How one delivery ended. */
    public enum Outcome {
        /** a 2xx answer */
        DELIVERED,
        /** failed for good, with no dead-letter sink configured (Knative drops the event) */
        FAILED,
        /** failed for good and handed to the dead-letter sink */
        DEAD_LETTERED,
        /** the subscriber does not resolve (e.g. a ref to a Service this process does not host) */
        UNRESOLVED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The event whose delivery answered with this one. */
    public record ReplyOf(String eventId, String trigger) {
    }

    public record DeliveryView(String trigger, String subscriber, String outcome, int status, int attempts,
            long latencyMs, String replyId, String replyType, String error) {
    }

    public record EventView(String id, String type, String source, String subject, String time, Instant receivedAt,
            String dataContentType, Map<String, String> extensions, Object data, ReplyOf replyOf,
            List<DeliveryView> deliveries) {
    }

    /**
     * A dead letter: {@code id} names it for {@code POST /broker/dead-letters/{id}/replay}; {@code reason} says why
     * the delivery failed for good.
     */
    public record DeadLetterView(String id, String eventId, String type, String source,
            Map<String, String> extensions, Object data, String trigger, String reason, String errorDest,
            int errorCode, String errorData, String sink, Integer sinkStatus, Instant deadLetteredAt) {
    }

    /** Handle to one logged event, for recording its deliveries. */
    public static final class Entry {
        private final EventView event;
        private final List<DeliveryView> deliveries = new CopyOnWriteArrayList<>();

        private Entry(EventView event) {
            this.event = event;
        }

        public void addDelivery(DeliveryView delivery) {
            deliveries.add(delivery);
        }

        EventView view() {
            return new EventView(event.id(), event.type(), event.source(), event.subject(), event.time(),
                    event.receivedAt(), event.dataContentType(), event.extensions(), event.data(), event.replyOf(),
                    List.copyOf(deliveries));
        }
    }

    private final int capacity;
    private final Function<CloudEvent, Object> dataView;
    private final Deque<Entry> events = new ArrayDeque<>();

    /**
     * @param capacity how many events are kept (the oldest are dropped)
     * @param dataView how an event's data is shown (e.g. parsed JSON)
     */
    public EventLog(int capacity, Function<CloudEvent, Object> dataView) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.dataView = dataView;
    }

    /** Shows an event's data as parsed JSON when it is JSON, else as UTF-8 text; null when it has none. */
    public static Function<CloudEvent, Object> readableData(JsonMapper json) {
        return event -> {
            if (event.getData() == null) {
                return null;
            }
            byte[] bytes = event.getData().toBytes();
            if (isJson(event.getDataContentType())) {
                try {
                    return json.readValue(bytes, Object.class);
                } catch (JacksonException e) {
                    // not JSON after all: show it as text
                }
            }
            return new String(bytes, StandardCharsets.UTF_8);
        };
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return true;
        }
        String media = contentType.toLowerCase(Locale.ROOT);
        int semicolon = media.indexOf(';');
        media = (semicolon < 0 ? media : media.substring(0, semicolon)).trim();
        return media.equals("application/json") || media.equals("text/json") || media.endsWith("+json");
    }

    public Entry record(CloudEvent event, ReplyOf replyOf, Instant receivedAt) {
        Entry entry = new Entry(new EventView(event.getId(), event.getType(), event.getSource().toString(),
                event.getSubject(), event.getTime() == null ? null
                        : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.getTime()),
                receivedAt, event.getDataContentType(), extensionsOf(event), safeData(event), replyOf, List.of()));
        synchronized (events) {
            if (events.size() == capacity) {
                events.removeFirst();
            }
            events.addLast(entry);
        }
        return entry;
    }

    /** The most recent {@code limit} events, oldest first (newest last). */
    public List<EventView> recent(int limit) {
        List<Entry> snapshot;
        synchronized (events) {
            snapshot = new ArrayList<>(events);
        }
        int from = Math.max(0, snapshot.size() - Math.max(0, limit));
        return snapshot.subList(from, snapshot.size()).stream().map(Entry::view).toList();
    }

    public DeadLetterView deadLetterOf(String id, CloudEvent letter, String trigger, String reason,
            String errorDest, int errorCode, String errorData, String sink, Integer sinkStatus, Instant at) {
        return new DeadLetterView(id, letter.getId(), letter.getType(), letter.getSource().toString(),
                extensionsOf(letter), safeData(letter), trigger, reason, errorDest, errorCode, errorData, sink,
                sinkStatus, at);
    }

    private Object safeData(CloudEvent event) {
        try {
            return dataView.apply(event);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static Map<String, String> extensionsOf(CloudEvent event) {
        Map<String, String> extensions = new TreeMap<>();
        for (String name : event.getExtensionNames()) {
            Object value = event.getExtension(name);
            if (value != null) {
                extensions.put(name, value.toString());
            }
        }
        return new LinkedHashMap<>(extensions);
    }
}
