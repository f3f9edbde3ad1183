package dev.relay.local.reconcile;

import dev.relay.local.broker.EmbeddedBroker;
import dev.relay.shared.events.RelayEventTypes;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Publishes a reconcile tick to the embedded broker every {@code relay.local.reconcile.interval}, the same event the
 * PingSource {@code relay-reconcile} sends in a cluster (type {@code dev.knative.sources.ping}, its source); the
 * Triggers route it to the functions that reconcile.
 * Starts once the server listens; a tick the broker refuses (overloaded) is logged and the next one comes anyway.
 */
@Component
@EnableConfigurationProperties(ReconcileTimerProperties.class)
public class ReconcileTimer implements ApplicationListener<ApplicationReadyEvent>, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ReconcileTimer.class);

    private final ReconcileTimerProperties properties;
    private final EmbeddedBroker broker;
    private final Clock clock;
    private ScheduledExecutorService timer;

    public ReconcileTimer(ReconcileTimerProperties properties, EmbeddedBroker broker) {
        this.properties = properties;
        this.broker = broker;
        this.clock = Clock.systemUTC();
    }

    @Override
    public synchronized void onApplicationEvent(ApplicationReadyEvent event) {
        if (timer != null || properties.interval().isZero()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "relay-reconcile-timer");
            thread.setDaemon(true);
            return thread;
        });
        long millis = properties.interval().toMillis();
        timer.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
        log.info("reconcile ticks every {}", properties.interval());
    }

    void tick() {
        try {
            broker.publish(tickEvent());
        } catch (RuntimeException e) {
            log.warn("reconcile tick not published: {}", e.toString());
        }
    }

    CloudEvent tickEvent() {
        return CloudEventBuilder.v1().withId(UUID.randomUUID().toString())
                .withType(RelayEventTypes.RECONCILE_TICK)
                .withSource(URI.create(RelayEventTypes.RECONCILE_TICK_SOURCE))
                .withTime(OffsetDateTime.now(clock))
                .withDataContentType("application/json")
                .withData("{}".getBytes(StandardCharsets.UTF_8))
                .build();
    }

    @Override
    public synchronized void destroy() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
