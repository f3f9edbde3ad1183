package dev.relay.local.broker;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.LogSafe;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Knative Eventing Broker in one process: every event put on it is recorded and delivered to each Trigger whose
 * filter does not fail; replies of subscribers are put back on the broker as events in their own right.
 * <p>
 * Durable: an event with Triggers to reach is written to the {@link BrokerJournal} (and forced to disk) before
 * {@link #publish} returns, each Trigger's delivery is acknowledged there only at its final outcome (success or
 * dead letter), and what is not acknowledged is delivered again after a restart ({@link #start}). Dead letters are
 * journaled and can be replayed. At most {@code maxPendingDeliveries} accepted deliveries are in flight: beyond
 * that the ingress is refused ({@link BrokerUnavailableException}), never accepted and dropped. Deliveries run in
 * lanes, one per config repository ({@code laneOf}), see {@link DeliveryLanes}; {@link Dispatcher} does retries.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final List<TriggerDefinition> triggers;
    private final EventLog eventLog;
    private final BrokerJournal journal;
    private final DeliveryLanes lanes;
    private final ScheduledExecutorService timer;
    private final Dispatcher dispatcher;
    private final Function<CloudEvent, String> laneOf;
    private final int maxPending;
    private final Duration drainTimeout;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopping;

    /**
     * @param laneOf the delivery lane of an event (its config repository); {@code null} for the default lane
     */
    public EmbeddedBroker(List<TriggerDefinition> triggers, SubscriberResolver resolver, JsonMapper json,
            BrokerProperties properties, Path journalDir, Function<CloudEvent, String> laneOf, MeterRegistry meters) {
        this.triggers = List.copyOf(triggers);
        this.eventLog = new EventLog(properties.historySize(), EventLog.readableData(json));
        this.journal = BrokerJournal.open(journalDir);
        this.lanes = new DeliveryLanes(properties.deliveryThreads());
        this.laneOf = laneOf;
        this.maxPending = properties.maxPendingDeliveries();
        this.drainTimeout = properties.drainTimeout();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "relay-broker-retry");
            thread.setDaemon(true);
            return thread;
        });
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.dispatcher = new Dispatcher(http, lanes, timer, properties.requestTimeout(), resolver,
                this::publishReply, () -> stopping, meters);
        for (TriggerDefinition trigger : this.triggers) {
            if (!resolver.isResolvable(trigger.subscriber())) {
                log.warn("Trigger {} ({}): subscriber {} is not hosted in this process; its events will be recorded "
                        + "as unresolved", trigger.name(), trigger.origin(), trigger.subscriber());
            }
        }
        log.info("embedded broker routes {} trigger(s): {}; journal {}", this.triggers.size(),
                this.triggers.stream().map(TriggerDefinition::name).toList(), journal.directory());
    }

    /**
     * Delivers what the journal held when the broker was created: events accepted before a crash or a shutdown
     * whose deliveries had not reached a final outcome. Call once the subscribers can be reached.
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        BrokerJournal.Recovered recovered = journal.recovered();
        if (!recovered.pending().isEmpty() || !recovered.deadLetters().isEmpty()) {
            log.info("embedded broker: redelivering {} journaled event(s); {} dead letter(s) kept",
                    recovered.pending().size(), recovered.deadLetters().size());
        }
        for (BrokerJournal.Accepted accepted : recovered.pending()) {
            CloudEvent event;
            try {
                event = CloudEventCodec.read(accepted.headers(), accepted.body());
            } catch (EventRejectedException e) {
                log.error("broker journal: event {} cannot be read back ({}); dropping it", accepted.seq(),
                        LogSafe.of(e.detail()));
                accepted.triggers().forEach(trigger -> journal.ack(accepted.seq(), trigger));
                continue;
            }
            List<TriggerDefinition> targets = new ArrayList<>();
            for (String name : accepted.triggers()) {
                Optional<TriggerDefinition> trigger = trigger(name);
                if (trigger.isPresent()) {
                    targets.add(trigger.get());
                } else {
                    log.warn("broker journal: event type={} id={} was accepted for Trigger {}, which no longer "
                            + "exists; acknowledging it", LogSafe.of(event.getType()), LogSafe.of(event.getId()),
                            name);
                    journal.ack(accepted.seq(), name);
                }
            }
            pending.addAndGet(targets.size());
            EventLog.ReplyOf replyOf = accepted.replyOfEvent() == null ? null
                    : new EventLog.ReplyOf(accepted.replyOfEvent(), accepted.replyOfTrigger());
            deliver(event, replyOf, accepted.seq(), targets);
        }
    }

    /**
     * Puts an event on the broker (the ingress path): journals it and starts delivering it to every matching
     * Trigger. Returns once the event is on disk.
     *
     * @throws BrokerUnavailableException when the broker cannot take the event now (full, stopping, journal
     *         failing): nothing was accepted, the sender should retry
     */
    public void publish(CloudEvent event) {
        if (stopping) {
            throw new BrokerUnavailableException("the broker is shutting down; retry against the next instance");
        }
        List<TriggerDefinition> matching = matchingTriggers(event);
        if (matching.isEmpty()) {
            recordUnrouted(event, null);
            return;
        }
        if (!reserve(matching.size())) {
            throw new BrokerOverloadedException(pending.get());
        }
        long seq;
        try {
            seq = journal(event, null, matching);
        } catch (IOException | RuntimeException e) {
            pending.addAndGet(-matching.size());
            log.error("broker journal: cannot journal event type={} id={}: {}", LogSafe.of(event.getType()),
                    LogSafe.of(event.getId()), LogSafe.of(e.toString()));
            throw new BrokerUnavailableException("the broker cannot journal the event right now; retry later");
        }
        deliver(event, null, seq, matching);
    }

    /** A subscriber's reply is accepted work: journaled before the delivery it answers is acknowledged. */
    private void publishReply(CloudEvent reply, EventLog.ReplyOf replyOf) {
        List<TriggerDefinition> matching = matchingTriggers(reply);
        if (matching.isEmpty()) {
            recordUnrouted(reply, replyOf);
            return;
        }
        long seq;
        try {
            seq = journal(reply, replyOf, matching);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        pending.addAndGet(matching.size());
        deliver(reply, replyOf, seq, matching);
    }

    private long journal(CloudEvent event, EventLog.ReplyOf replyOf, List<TriggerDefinition> matching)
            throws IOException {
        CloudEventCodec.HttpEvent binary = CloudEventCodec.write(event);
        Set<String> names = new LinkedHashSet<>();
        matching.forEach(trigger -> names.add(trigger.name()));
        return journal.accept(binary.headers(), binary.body(), names, replyOf);
    }

    private boolean reserve(int deliveries) {
        while (true) {
            int now = pending.get();
            if (now + deliveries > maxPending) {
                return false;
            }
            if (pending.compareAndSet(now, now + deliveries)) {
                return true;
            }
        }
    }

    private void recordUnrouted(CloudEvent event, EventLog.ReplyOf replyOf) {
        eventLog.record(event, replyOf, Instant.now());
        log.info("event type={} id={} relaytrace={} matched no trigger", LogSafe.of(event.getType()),
                LogSafe.of(event.getId()), LogSafe.of(RelayExtensions.traceOf(event)));
    }

    private void deliver(CloudEvent event, EventLog.ReplyOf replyOf, long seq, List<TriggerDefinition> matching) {
        EventLog.Entry entry = eventLog.record(event, replyOf, Instant.now());
        String lane = laneOf.apply(event);
        for (TriggerDefinition trigger : matching) {
            dispatcher.dispatch(event, entry, trigger, lane, new JournalSettlement(seq, trigger.name()));
        }
    }

    /** Acknowledges a delivery in the journal at its final outcome, journaling the dead letter first. */
    private final class JournalSettlement implements Dispatcher.Settlement {

        private final long seq;
        private final String trigger;
        private final AtomicBoolean done = new AtomicBoolean();

        JournalSettlement(long seq, String trigger) {
            this.seq = seq;
            this.trigger = trigger;
        }

        @Override
        public void settled(EventLog.DeliveryView view, Dispatcher.DeadLetterFacts deadLetter) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            pending.decrementAndGet();
            if (deadLetter != null) {
                CloudEventCodec.HttpEvent binary = CloudEventCodec.write(deadLetter.letter());
                try {
                    journal.deadLetter(new BrokerJournal.DeadLetter(BrokerJournal.deadLetterId(seq, trigger),
                            binary.headers(), binary.body(), trigger, deadLetter.reason(), deadLetter.errorDest(),
                            deadLetter.errorCode(), deadLetter.errorData(), deadLetter.sink(), deadLetter.sinkStatus(),
                            Instant.now()));
                } catch (IOException e) {
                    log.error("broker journal: cannot journal the dead letter of event {} for {} ({}); it stays "
                            + "journaled as accepted and is redelivered after a restart", seq, trigger,
                            LogSafe.of(e.toString()));
                    return;
                }
            }
            journal.ack(seq, trigger);
        }

        @Override
        public void deferred(String why) {
            if (done.compareAndSet(false, true)) {
                pending.decrementAndGet();
                log.info("broker: event {} for {} stays journaled: {}", seq, trigger, why);
            }
        }
    }

    /** The Triggers whose filter does not fail for the event, in load order. */
    public List<TriggerDefinition> matchingTriggers(CloudEvent event) {
        return triggers.stream().filter(trigger -> trigger.filter().matches(event)).toList();
    }

    public List<TriggerDefinition> triggers() {
        return triggers;
    }

    private Optional<TriggerDefinition> trigger(String name) {
        return triggers.stream().filter(trigger -> trigger.name().equals(name)).findFirst();
    }

    /** Every remembered event, oldest first. */
    public List<EventLog.EventView> recentEvents() {
        return eventLog.recent(Integer.MAX_VALUE);
    }

    /** The {@code limit} most recent events, oldest first. */
    public List<EventLog.EventView> recentEvents(int limit) {
        return eventLog.recent(limit);
    }

    /** Dead letters not yet replayed, oldest first; they survive restarts. */
    public List<EventLog.DeadLetterView> deadLetters() {
        return journal.deadLetters().stream().map(this::view).toList();
    }

    private EventLog.DeadLetterView view(BrokerJournal.DeadLetter letter) {
        CloudEvent event = CloudEventCodec.read(letter.headers(), letter.body());
        return eventLog.deadLetterOf(letter.id(), event, letter.trigger(), letter.reason(), letter.errorDest(),
                letter.errorCode(), letter.errorData(), letter.sink(), letter.sinkStatus(), letter.deadLetteredAt());
    }

    /** Deliveries accepted and not yet at a final outcome (in memory, this process). */
    public int pendingDeliveries() {
        return pending.get();
    }

    /**
     * Puts a dead letter back on the broker: the original event (without the {@code knativeerror*} attributes)
     * to the Trigger whose delivery failed, journaled like an accepted event.
     *
     * @return the replayed dead letter, empty when there is none with that id
     * @throws BrokerUnavailableException when the broker cannot take it now
     * @throws IllegalStateException when its Trigger no longer exists
     */
    public Optional<EventLog.DeadLetterView> replayDeadLetter(String id) {
        Optional<BrokerJournal.DeadLetter> found = journal.deadLetter(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        BrokerJournal.DeadLetter letter = found.get();
        TriggerDefinition trigger = trigger(letter.trigger()).orElseThrow(() -> new IllegalStateException(
                "dead letter " + id + " failed at Trigger " + letter.trigger() + ", which no longer exists"));
        if (stopping) {
            throw new BrokerUnavailableException("the broker is shutting down; retry against the next instance");
        }
        if (!reserve(1)) {
            throw new BrokerOverloadedException(pending.get());
        }
        CloudEvent original = withoutErrorAttributes(CloudEventCodec.read(letter.headers(), letter.body()));
        long seq;
        try {
            seq = journal(original, null, List.of(trigger));
            journal.replayed(id);
        } catch (IOException e) {
            pending.decrementAndGet();
            throw new BrokerUnavailableException("the broker cannot journal the replay right now; retry later");
        }
        log.info("dead letter {} replayed: event type={} id={} to Trigger {}", id, LogSafe.of(original.getType()),
                LogSafe.of(original.getId()), trigger.name());
        EventLog.DeadLetterView view = view(letter);
        deliver(original, null, seq, List.of(trigger));
        return Optional.of(view);
    }

    /** Replays every dead letter whose Trigger still exists; returns the replayed ones. */
    public List<EventLog.DeadLetterView> replayDeadLetters() {
        List<EventLog.DeadLetterView> replayed = new ArrayList<>();
        for (BrokerJournal.DeadLetter letter : journal.deadLetters()) {
            if (trigger(letter.trigger()).isPresent()) {
                replayDeadLetter(letter.id()).ifPresent(replayed::add);
            }
        }
        return replayed;
    }

    private static CloudEvent withoutErrorAttributes(CloudEvent letter) {
        CloudEventBuilder builder = CloudEventBuilder.v1(letter);
        for (String name : List.of(Dispatcher.ERROR_DEST, Dispatcher.ERROR_CODE, Dispatcher.ERROR_DATA)) {
            builder.withoutExtension(name);
        }
        return builder.build();
    }

    /**
     * Graceful stop: refuses new events, gives in-flight deliveries {@code drainTimeout} to finish, and leaves
     * everything else journaled for the next start (never failed, never dead-lettered for the shutdown).
     */
    public void drain() {
        if (stopping) {
            return;
        }
        stopping = true;
        int inFlight = pending.get();
        timer.shutdownNow();
        lanes.shutdown(drainTimeout);
        log.info("embedded broker stopped: {} delivery(ies) were in flight; {} event(s) stay journaled for the next "
                + "start", inFlight, journal.pendingCount());
    }

    @Override
    public void close() {
        drain();
        journal.close();
    }

    /** The broker cannot take the event now (HTTP 503; the sender should retry). */
    public static class BrokerUnavailableException extends RuntimeException {
        BrokerUnavailableException(String message) {
            super(message);
        }
    }

    /** The broker has as many accepted deliveries in flight as it may (HTTP 503; the sender should retry). */
    public static final class BrokerOverloadedException extends BrokerUnavailableException {
        BrokerOverloadedException(int pending) {
            super("the broker has " + pending + " accepted deliveries in flight, its limit; retry later");
        }
    }
}
