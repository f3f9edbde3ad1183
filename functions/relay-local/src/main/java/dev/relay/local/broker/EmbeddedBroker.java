package dev.relay.local.broker;

import dev.relay.shared.events.RelayExtensions;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Knative Eventing Broker in one process: every event put on it is recorded and delivered to each Trigger whose
 * filter does not fail; replies of subscribers are put back on the broker as events in their own right.
 * Delivery is asynchronous, on a bounded pool; see {@link Dispatcher} for retries and dead letters.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** Deliveries that may wait for a delivery thread before the ingress answers 503. */
    static final int QUEUE_CAPACITY = 10_000;

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final List<TriggerDefinition> triggers;
    private final EventLog eventLog;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final Dispatcher dispatcher;

    public EmbeddedBroker(List<TriggerDefinition> triggers, SubscriberResolver resolver, JsonMapper json,
            BrokerProperties properties, MeterRegistry meters) {
        this.triggers = List.copyOf(triggers);
        this.eventLog = new EventLog(properties.historySize(), EventLog.readableData(json));
        this.workers = new ThreadPoolExecutor(properties.deliveryThreads(), properties.deliveryThreads(), 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE_CAPACITY), threads("relay-broker-delivery-"));
        this.workers.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("relay-broker-retry-"));
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.dispatcher = new Dispatcher(http, workers, timer, properties.requestTimeout(), resolver, eventLog,
                this::publishReply, meters);
        for (TriggerDefinition trigger : this.triggers) {
            if (!resolver.isResolvable(trigger.subscriber())) {
                log.warn("Trigger {} ({}): subscriber {} is not hosted in this process; its events will be recorded "
                        + "as unresolved", trigger.name(), trigger.origin(), trigger.subscriber());
            }
        }
        log.info("embedded broker routes {} trigger(s): {}", this.triggers.size(),
                this.triggers.stream().map(TriggerDefinition::name).toList());
    }

    /**
     * Puts an event on the broker (the ingress path): records it and starts delivering it to every matching
     * Trigger. Returns at once.
     *
     * @throws BrokerOverloadedException when the delivery queue cannot take the event's deliveries
     */
    public void publish(CloudEvent event) {
        List<TriggerDefinition> matching = matchingTriggers(event);
        if (workers.getQueue().remainingCapacity() < matching.size()) {
            throw new BrokerOverloadedException(workers.getQueue().size());
        }
        route(event, null, matching);
    }

    private void publishReply(CloudEvent reply, EventLog.ReplyOf replyOf) {
        route(reply, replyOf, matchingTriggers(reply));
    }

    private void route(CloudEvent event, EventLog.ReplyOf replyOf, List<TriggerDefinition> matching) {
        EventLog.Entry entry = eventLog.record(event, replyOf, Instant.now());
        if (matching.isEmpty()) {
            log.info("event type={} id={} relaytrace={} matched no trigger", event.getType(), event.getId(),
                    RelayExtensions.traceOf(event));
        }
        for (TriggerDefinition trigger : matching) {
            dispatcher.dispatch(event, entry, trigger);
        }
    }

    /** The Triggers whose filter does not fail for the event, in load order. */
    public List<TriggerDefinition> matchingTriggers(CloudEvent event) {
        return triggers.stream().filter(trigger -> trigger.filter().matches(event)).toList();
    }

    public List<TriggerDefinition> triggers() {
        return triggers;
    }

    /** Every remembered event, oldest first. */
    public List<EventLog.EventView> recentEvents() {
        return eventLog.recent(Integer.MAX_VALUE);
    }

    /** The {@code limit} most recent events, oldest first. */
    public List<EventLog.EventView> recentEvents(int limit) {
        return eventLog.recent(limit);
    }

    public List<EventLog.DeadLetterView> deadLetters() {
        return eventLog.deadLetters();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The broker cannot take more work right now (HTTP 503; the sender should retry). */
    public static final class BrokerOverloadedException extends RuntimeException {
        BrokerOverloadedException(int queued) {
            super("the broker's delivery queue is full (" + queued + " deliveries waiting); retry later");
        }
    }
}
