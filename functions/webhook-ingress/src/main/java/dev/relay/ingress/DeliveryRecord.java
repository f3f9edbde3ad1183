package dev.relay.ingress;

import io.cloudevents.CloudEvent;
import java.util.List;

/**
 * What is known about one webhook while it is handled, for its one log line and its metric. Every value that came
 * from the request is cut and stripped of control characters (log injection), and the metric's {@code type} label
 * only takes producer-chosen text once a secret proved the sender (label cardinality).
 */
public final class DeliveryRecord {

    private String producer;
    private String event;
    private String delivery;
    private boolean authenticated;
    private List<CloudEvent> emitted = List.of();

    void producer(String producer) {
        this.producer = producer;
    }

    void event(String event) {
        this.event = clean(event);
    }

    void delivery(String delivery) {
        this.delivery = clean(delivery);
    }

    void authenticated() {
        this.authenticated = true;
    }

    void emitted(List<CloudEvent> events) {
        this.emitted = List.copyOf(events);
    }

    public String producer() {
        return producer == null ? "unknown" : producer;
    }

    public String event() {
        return event == null ? "-" : event;
    }

    public String delivery() {
        return delivery == null ? "-" : delivery;
    }

    public List<String> ids() {
        return emitted.stream().map(CloudEvent::getId).toList();
    }

    /** The metric's type label: the emitted type, else {@code <producer>:<event>} when signed, else the producer. */
    public String metricType() {
        if (!emitted.isEmpty()) {
            return emitted.get(0).getType();
        }
        if (authenticated && event != null && event.matches("[A-Za-z0-9 _.-]{1,40}")) {
            return producer() + ":" + event;
        }
        return producer();
    }

    private static String clean(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String cut = value.length() > 128 ? value.substring(0, 128) : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
