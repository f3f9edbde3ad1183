package dev.relay.local.broker;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.LogSafe;
import dev.relay.shared.tracing.TraceParent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one event to one Trigger's subscriber over HTTP, the way Knative's dispatcher does: binary mode with
 * {@code Prefer: reply}; 2xx is success and a CloudEvent in the answer is a reply; retryable failures are retried
 * per the Trigger's {@link DeliveryPolicy} (waits are scheduled, never slept); when retries are exhausted the event
 * goes to the dead-letter sink with {@code knativeerrordest}, {@code knativeerrorcode} and
 * {@code knativeerrordata}. Exactly one log line is written per attempt. The event's {@code traceparent} and
 * {@code tracestate} also go out as HTTP headers, so the subscriber's HTTP server span joins the event's trace.
 */
final class Dispatcher {

    static final String ERROR_DEST = "knativeerrordest";
    static final String ERROR_CODE = "knativeerrorcode";
    static final String ERROR_DATA = "knativeerrordata";
    static final int ERROR_DATA_MAX_LENGTH = 1024;
    static final int MAX_BODY_BYTES = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final int CONNECTION_ERROR = -1;

    private final HttpClient http;
    private final DeliveryLanes lanes;
    private final ScheduledExecutorService timer;
    private final Duration requestTimeout;
    private final SubscriberResolver resolver;
    private final BiConsumer<CloudEvent, EventLog.ReplyOf> replies;
    private final BooleanSupplier stopping;
    private final MeterRegistry meters;

    /**
     * How a delivery ends, for the broker's journal: {@code settled} once with the final outcome (and the dead
     * letter, when it is one), or {@code deferred} when the broker stops first (the delivery stays journaled).
     */
    interface Settlement {

        void settled(EventLog.DeliveryView view, DeadLetterFacts deadLetter);

        void deferred(String why);
    }

    /** A final failure: the event as the dead-letter sink sees it, and where it went. */
    record DeadLetterFacts(CloudEvent letter, String reason, String errorDest, int errorCode, String errorData,
            String sink, Integer sinkStatus) {
    }

    Dispatcher(HttpClient http, DeliveryLanes lanes, ScheduledExecutorService timer, Duration requestTimeout,
            SubscriberResolver resolver, BiConsumer<CloudEvent, EventLog.ReplyOf> replies, BooleanSupplier stopping,
            MeterRegistry meters) {
        this.http = http;
        this.lanes = lanes;
        this.timer = timer;
        this.requestTimeout = requestTimeout;
        this.resolver = resolver;
        this.replies = replies;
        this.stopping = stopping;
        this.meters = meters;
    }

    /** Starts delivering on the event's lane; returns at once. */
    void dispatch(CloudEvent event, EventLog.Entry entry, TriggerDefinition trigger, String lane,
            Settlement settlement) {
        Optional<URI> target = resolver.resolve(trigger.subscriber());
        if (target.isEmpty()) {
            log.warn("delivery type={} trigger={} subscriber={} status={} latencyMs=0 attempt=0 relaytrace={} "
                    + "outcome=unresolved", LogSafe.of(event.getType()), trigger.name(), trigger.subscriber(),
                    CONNECTION_ERROR, LogSafe.of(RelayExtensions.traceOf(event)));
            String error = "subscriber " + trigger.subscriber() + " is not hosted here";
            finish(entry, trigger, settlement, new EventLog.DeliveryView(trigger.name(),
                    trigger.subscriber().toString(), EventLog.Outcome.UNRESOLVED.label(), CONNECTION_ERROR, 0, 0,
                    null, null, error), new DeadLetterFacts(event, "unresolved: " + error,
                    trigger.subscriber().toString(), 500, "", null, null));
            return;
        }
        Delivery delivery = new Delivery(event, entry, trigger, target.get(), lane, settlement);
        submit(delivery, () -> attempt(delivery));
    }

    private void submit(Delivery delivery, Runnable task) {
        try {
            lanes.execute(delivery.lane, task);
        } catch (RejectedExecutionException e) {
            delivery.settlement.deferred("the broker stopped before delivery attempt " + (delivery.attempt + 1));
        }
    }

    private void attempt(Delivery delivery) {
        delivery.attempt++;
        Answer answer = send(delivery.target, delivery.event);
        CloudEvent reply = null;
        int status = answer.status;
        String error = answer.error;
        if (DeliveryPolicy.isSuccess(status) && CloudEventCodec.carriesEvent(answer.headers)) {
            try {
                reply = CloudEventCodec.read(answer.headers, answer.body);
            } catch (EventRejectedException e) {
                // Knative answers 502 Bad Gateway when the subscriber's reply is not a valid event.
                status = 502;
                error = "malformed reply: " + e.detail();
            }
        }
        DeliveryPolicy policy = delivery.trigger.delivery();
        String trace = RelayExtensions.traceOf(delivery.event);
        if (DeliveryPolicy.isSuccess(status)) {
            log.info("delivery type={} trigger={} subscriber={} status={} latencyMs={} attempt={} relaytrace={} "
                    + "outcome=delivered{}", LogSafe.of(delivery.event.getType()), delivery.trigger.name(),
                    delivery.target, status, answer.latencyMs, delivery.attempt, LogSafe.of(trace),
                    reply == null ? "" : " replyType=" + LogSafe.of(reply.getType()) + " replyId="
                            + LogSafe.of(reply.getId()));
            if (reply != null) {
                try {
                    replies.accept(reply, new EventLog.ReplyOf(delivery.event.getId(), delivery.trigger.name()));
                } catch (RuntimeException e) {
                    log.error("delivery type={} trigger={}: cannot put the reply on the broker ({}); the delivery "
                            + "stays journaled and is redelivered after a restart", LogSafe.of(delivery.event.getType()),
                            delivery.trigger.name(), LogSafe.of(e.toString()));
                    delivery.settlement.deferred("reply not journaled");
                    return;
                }
            }
            finish(delivery.entry, delivery.trigger, delivery.settlement, delivery.view(EventLog.Outcome.DELIVERED,
                    status, answer.latencyMs, reply, null), null);
            return;
        }
        if (stopping.getAsBoolean() && DeliveryPolicy.isRetryable(status)) {
            log.info("delivery type={} trigger={} subscriber={} status={} attempt={} relaytrace={} outcome=deferred "
                    + "(the broker is stopping; the event stays journaled)", LogSafe.of(delivery.event.getType()),
                    delivery.trigger.name(), delivery.target, status, delivery.attempt, LogSafe.of(trace));
            delivery.settlement.deferred("the broker stopped during delivery");
            return;
        }
        if (DeliveryPolicy.isRetryable(status) && delivery.attempt < policy.maxAttempts()) {
            Duration wait = policy.delayBeforeRetry(delivery.attempt);
            log.warn("delivery type={} trigger={} subscriber={} status={} latencyMs={} attempt={} relaytrace={} "
                    + "outcome=retry retryInMs={}{}", LogSafe.of(delivery.event.getType()), delivery.trigger.name(),
                    delivery.target, status, answer.latencyMs, delivery.attempt, LogSafe.of(trace), wait.toMillis(),
                    error == null ? "" : " error=\"" + LogSafe.of(error) + "\"");
            schedule(delivery, wait, () -> attempt(delivery));
            return;
        }
        Optional<Destination> deadLetterSink = policy.deadLetter();
        log.warn("delivery type={} trigger={} subscriber={} status={} latencyMs={} attempt={} relaytrace={} "
                + "outcome={}{}", LogSafe.of(delivery.event.getType()), delivery.trigger.name(), delivery.target,
                status, answer.latencyMs, delivery.attempt, LogSafe.of(trace),
                deadLetterSink.isPresent() ? "dead-letter" : "failed",
                error == null ? "" : " error=\"" + LogSafe.of(error) + "\"");
        // As Knative: a connection error is reported as 500 with the error text as data.
        int errorCode = status == CONNECTION_ERROR ? 500 : status;
        byte[] errorBody = status == CONNECTION_ERROR || status == 502 && error != null
                ? ("dispatch error: " + error).getBytes(StandardCharsets.UTF_8) : answer.body;
        if (deadLetterSink.isEmpty()) {
            String errorData = errorData(errorBody);
            finish(delivery.entry, delivery.trigger, delivery.settlement, delivery.view(EventLog.Outcome.FAILED,
                    status, answer.latencyMs, null, error), new DeadLetterFacts(letter(delivery, errorCode,
                    errorData), reason(status, error, delivery.attempt) + "; the Trigger has no dead-letter sink",
                    delivery.target.toString(), errorCode, errorData, null, null));
            return;
        }
        deadLetter(delivery, deadLetterSink.get(), errorCode, errorBody, status, answer.latencyMs, error);
    }

    private static String reason(int status, String error, int attempts) {
        return (status == CONNECTION_ERROR ? "connection error" : "answered " + status)
                + (error == null ? "" : " (" + error + ")") + " after " + attempts + " attempt(s)";
    }

    private static CloudEvent letter(Delivery failed, int errorCode, String errorData) {
        return CloudEventBuilder.v1(failed.event)
                .withExtension(ERROR_DEST, failed.target.toString())
                .withExtension(ERROR_CODE, Integer.toString(errorCode))
                .withExtension(ERROR_DATA, errorData)
                .build();
    }

    private void deadLetter(Delivery failed, Destination sink, int errorCode, byte[] errorBody, int status,
            long latencyMs, String error) {
        String errorData = errorData(errorBody);
        CloudEvent letter = letter(failed, errorCode, errorData);
        String reason = reason(status, error, failed.attempt);
        Optional<URI> sinkUri = resolver.resolve(sink);
        if (sinkUri.isEmpty()) {
            // A sink this process does not host (e.g. the relay-dead-letters Service): keep it in the broker.
            finish(failed.entry, failed.trigger, failed.settlement, failed.view(EventLog.Outcome.DEAD_LETTERED,
                    status, latencyMs, null, error), new DeadLetterFacts(letter, reason, failed.target.toString(),
                    errorCode, errorData, "internal:" + sink, null));
            return;
        }
        Delivery sinkDelivery = new Delivery(letter, failed.entry, failed.trigger, sinkUri.get(), failed.lane,
                failed.settlement);
        submit(sinkDelivery, () -> attemptDeadLetter(sinkDelivery, failed, errorCode, errorData, status, latencyMs,
                error, reason));
    }

    private void attemptDeadLetter(Delivery sinkDelivery, Delivery failed, int errorCode, String errorData,
            int status, long latencyMs, String error, String reason) {
        sinkDelivery.attempt++;
        Answer answer = send(sinkDelivery.target, sinkDelivery.event);
        DeliveryPolicy policy = failed.trigger.delivery();
        String trace = RelayExtensions.traceOf(failed.event);
        boolean delivered = DeliveryPolicy.isSuccess(answer.status);
        if (!delivered && stopping.getAsBoolean()) {
            failed.settlement.deferred("the broker stopped while dead-lettering");
            return;
        }
        boolean retry = !delivered && DeliveryPolicy.isRetryable(answer.status)
                && sinkDelivery.attempt < policy.maxAttempts();
        log.warn("dead-letter type={} trigger={} sink={} status={} latencyMs={} attempt={} relaytrace={} "
                + "knativeerrorcode={} outcome={}", LogSafe.of(failed.event.getType()), failed.trigger.name(),
                sinkDelivery.target, answer.status, answer.latencyMs, sinkDelivery.attempt, LogSafe.of(trace),
                errorCode, delivered ? "delivered" : retry ? "retry" : "failed");
        if (retry) {
            schedule(sinkDelivery, policy.delayBeforeRetry(sinkDelivery.attempt),
                    () -> attemptDeadLetter(sinkDelivery, failed, errorCode, errorData, status, latencyMs, error,
                            reason));
            return;
        }
        finish(failed.entry, failed.trigger, failed.settlement, failed.view(delivered
                ? EventLog.Outcome.DEAD_LETTERED : EventLog.Outcome.FAILED, status, latencyMs, null,
                delivered ? error : "dead-letter sink answered " + answer.status
                        + (answer.error == null ? "" : " (" + answer.error + ")")),
                new DeadLetterFacts(sinkDelivery.event, delivered ? reason : reason + "; the dead-letter sink answered "
                        + answer.status, failed.target.toString(), errorCode, errorData,
                        sinkDelivery.target.toString(), answer.status));
    }

    private void schedule(Delivery delivery, Duration wait, Runnable task) {
        if (stopping.getAsBoolean()) {
            delivery.settlement.deferred("the broker stopped before the retry");
            return;
        }
        try {
            timer.schedule(() -> submit(delivery, task), wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            delivery.settlement.deferred("the broker stopped before the retry");
        }
    }

    private Answer send(URI target, CloudEvent event) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(requestTimeout).header("Prefer", "reply");
        CloudEventCodec.HttpEvent binary = CloudEventCodec.write(event);
        binary.headers().forEach(request::header);
        RelayExtensions.read(event, RelayExtensions.TRACEPARENT).flatMap(TraceParent::parse)
                .ifPresent(traceParent -> {
                    request.header("traceparent", traceParent.value());
                    RelayExtensions.read(event, RelayExtensions.TRACESTATE)
                            .ifPresent(traceState -> request.header("tracestate", traceState));
                });
        request.POST(HttpRequest.BodyPublishers.ofByteArray(binary.body()));
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Map<String, String> headers = firstValues(response.headers().map());
            if (body.length > MAX_BODY_BYTES) {
                return new Answer(502, headers, new byte[0], latencyMs, "answer larger than 1 MiB");
            }
            return new Answer(response.statusCode(), headers, body, latencyMs, null);
        } catch (IOException e) {
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return new Answer(CONNECTION_ERROR, Map.of(), new byte[0], latencyMs,
                    e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(CONNECTION_ERROR, Map.of(), new byte[0], 0, "interrupted");
        }
    }

    private void finish(EventLog.Entry entry, TriggerDefinition trigger, Settlement settlement,
            EventLog.DeliveryView view, DeadLetterFacts deadLetter) {
        entry.addDelivery(view);
        settlement.settled(view, deadLetter);
        if (meters != null) {
            Counter.builder("relay.broker.deliveries")
                    .description("Deliveries of events to Trigger subscribers, by final outcome")
                    .tag("trigger", trigger.name())
                    .tag("outcome", view.outcome())
                    .register(meters)
                    .increment();
        }
    }

    private static Map<String, String> firstValues(Map<String, List<String>> headers) {
        Map<String, String> first = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (!values.isEmpty()) {
                first.putIfAbsent(name, values.get(0));
            }
        });
        return first;
    }

    /** Base64 of the failed answer's body, truncated to Knative's 1024 characters. */
    static String errorData(byte[] body) {
        String encoded = Base64.getEncoder().encodeToString(body == null ? new byte[0] : body);
        return encoded.length() > ERROR_DATA_MAX_LENGTH ? encoded.substring(0, ERROR_DATA_MAX_LENGTH) : encoded;
    }

    private record Answer(int status, Map<String, String> headers, byte[] body, long latencyMs, String error) {
    }

    private static final class Delivery {
        final CloudEvent event;
        final EventLog.Entry entry;
        final TriggerDefinition trigger;
        final URI target;
        final String lane;
        final Settlement settlement;
        volatile int attempt;

        Delivery(CloudEvent event, EventLog.Entry entry, TriggerDefinition trigger, URI target, String lane,
                Settlement settlement) {
            this.event = event;
            this.entry = entry;
            this.trigger = trigger;
            this.target = target;
            this.lane = lane;
            this.settlement = settlement;
        }

        EventLog.DeliveryView view(EventLog.Outcome outcome, int status, long latencyMs, CloudEvent reply,
                String error) {
            return new EventLog.DeliveryView(trigger.name(), target.toString(), outcome.label(), status, attempt,
                    latencyMs, reply == null ? null : reply.getId(), reply == null ? null : reply.getType(), error);
        }
    }
}
