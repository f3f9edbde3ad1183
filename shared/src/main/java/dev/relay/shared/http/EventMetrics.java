package dev.relay.shared.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * {@code relay_events_total{function,type,outcome}} and {@code relay_event_duration_seconds{function,outcome}}.
 * Labels stay low-cardinality: never an id, a commit or a digest.
 */
public final class EventMetrics {

    private final MeterRegistry registry;

    public EventMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String function, String type, String outcome, Duration took) {
        Counter.builder("relay.events")
                .description("CloudEvents handled, by function, event type and outcome")
                .tag("function", function)
                .tag("type", type == null ? "unknown" : type)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
        Timer.builder("relay.event.duration")
                .description("Time to handle one CloudEvent")
                .tag("function", function)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry)
                .record(took);
    }
}
