package dev.relay.local.broker;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRejectedException;
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
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
    private final Executor workers;
    private final ScheduledExecutorService timer;
    private final Duration requestTimeout;
    private final SubscriberResolver resolver;
    private final EventLog eventLog;
    private final BiConsumer<CloudEvent, EventLog.ReplyOf> replies;
    private final MeterRegistry meters;

    Dispatcher(HttpClient http, Executor workers, ScheduledExecutorService timer, Duration requestTimeout,
            SubscriberResolver resolver, EventLog eventLog,
            BiConsumer<CloudEvent, EventLog.ReplyOf> replies, MeterRegistry meters) {
        this.http = http;
        this.workers = workers;
        this.timer = timer;
        this.requestTimeout = requestTimeout;
        this.resolver = resolver;
        this.eventLog = eventLog;
        this.replies = replies;
        this.meters = meters;
    }

    /** Starts delivering; returns at once. */
    void dispatch(CloudEvent event, EventLog.Entry entry, TriggerDefinition trigger) {
        Optional<URI> target = resolver.resolve(trigger.subscriber());
        if (target.isEmpty()) {
            log.warn("delivery type={} trigger={} subscriber={} status={} latencyMs=0 attempt=0 relaytrace={} "
                    + "outcome=unresolved", event.getType(), trigger.name(), trigger.subscriber(), CONNECTION_ERROR,
                    RelayExtensions.traceOf(event));
            finish(entry, trigger, new EventLog.DeliveryView(trigger.name(), trigger.subscriber().toString(),
                    EventLog.Outcome.UNRESOLVED.label(), CONNECTION_ERROR, 0, 0, null, null,
                    "subscriber " + trigger.subscriber() + " is not hosted here"));
            return;
        }
        Delivery delivery = new Delivery(event, entry, trigger, target.get());
        submit(delivery, () -> attempt(delivery));
    }

    private void submit(Delivery delivery, Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            log.warn("delivery type={} trigger={} subscriber={} status={} latencyMs=0 attempt={} relaytrace={} "
                    + "outcome=failed error=\"broker overloaded\"", delivery.event.getType(), delivery.trigger.name(),
                    delivery.target, CONNECTION_ERROR, delivery.attempt + 1, RelayExtensions.traceOf(delivery.event));
            finish(delivery.entry, delivery.trigger, delivery.view(EventLog.Outcome.FAILED, CONNECTION_ERROR, 0,
                    null, "broker overloaded: delivery queue full"));
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
                    + "outcome=delivered{}", delivery.event.getType(), delivery.trigger.name(), delivery.target, status,
                    answer.latencyMs, delivery.attempt, trace,
                    reply == null ? "" : " replyType=" + reply.getType() + " replyId=" + reply.getId());
            finish(delivery.entry, delivery.trigger, delivery.view(EventLog.Outcome.DELIVERED, status,
                    answer.latencyMs, reply, null));
            if (reply != null) {
                replies.accept(reply, new EventLog.ReplyOf(delivery.event.getId(), delivery.trigger.name()));
            }
            return;
        }
        if (DeliveryPolicy.isRetryable(status) && delivery.attempt < policy.maxAttempts()) {
            Duration wait = policy.delayBeforeRetry(delivery.attempt);
            log.warn("delivery type={} trigger={} subscriber={} status={} latencyMs={} attempt={} relaytrace={} "
                    + "outcome=retry retryInMs={}{}", delivery.event.getType(), delivery.trigger.name(),
                    delivery.target, status, answer.latencyMs, delivery.attempt, trace, wait.toMillis(),
                    error == null ? "" : " error=\"" + error + "\"");
            schedule(delivery, wait, () -> attempt(delivery));
            return;
        }
        Optional<Destination> deadLetterSink = policy.deadLetter();
        log.warn("delivery type={} trigger={} subscriber={} status={} latencyMs={} attempt={} relaytrace={} "
                + "outcome={}{}", delivery.event.getType(), delivery.trigger.name(), delivery.target, status,
                answer.latencyMs, delivery.attempt, trace, deadLetterSink.isPresent() ? "dead-letter" : "failed",
                error == null ? "" : " error=\"" + error + "\"");
        if (deadLetterSink.isEmpty()) {
            finish(delivery.entry, delivery.trigger, delivery.view(EventLog.Outcome.FAILED, status,
                    answer.latencyMs, null, error));
            return;
        }
        // As Knative: a connection error is reported as 500 with the error text as data.
        int errorCode = status == CONNECTION_ERROR ? 500 : status;
        byte[] errorBody = status == CONNECTION_ERROR || status == 502 && error != null
                ? ("dispatch error: " + error).getBytes(StandardCharsets.UTF_8) : answer.body;
        deadLetter(delivery, deadLetterSink.get(), errorCode, errorBody, status, answer.latencyMs, error);
    }

    private void deadLetter(Delivery failed, Destination sink, int errorCode, byte[] errorBody, int status,
            long latencyMs, String error) {
        String errorData = errorData(errorBody);
        CloudEvent letter = CloudEventBuilder.v1(failed.event)
                .withExtension(ERROR_DEST, failed.target.toString())
                .withExtension(ERROR_CODE, Integer.toString(errorCode))
                .withExtension(ERROR_DATA, errorData)
                .build();
        Optional<URI> sinkUri = resolver.resolve(sink);
        if (sinkUri.isEmpty()) {
            // A sink this process does not host (e.g. the relay-dead-letters Service): keep it in the broker.
            eventLog.recordDeadLetter(eventLog.deadLetterOf(letter, failed.trigger.name(), failed.target.toString(),
                    errorCode, errorData, "internal:" + sink, null, Instant.now()));
            finish(failed.entry, failed.trigger, failed.view(EventLog.Outcome.DEAD_LETTERED, status, latencyMs, null,
                    error));
            return;
        }
        Delivery sinkDelivery = new Delivery(letter, failed.entry, failed.trigger, sinkUri.get());
        submit(sinkDelivery, () -> attemptDeadLetter(sinkDelivery, failed, errorCode, errorData, status, latencyMs,
                error));
    }

    private void attemptDeadLetter(Delivery sinkDelivery, Delivery failed, int errorCode, String errorData,
            int status, long latencyMs, String error) {
        sinkDelivery.attempt++;
        Answer answer = send(sinkDelivery.target, sinkDelivery.event);
        DeliveryPolicy policy = failed.trigger.delivery();
        String trace = RelayExtensions.traceOf(failed.event);
        boolean delivered = DeliveryPolicy.isSuccess(answer.status);
        boolean retry = !delivered && DeliveryPolicy.isRetryable(answer.status)
                && sinkDelivery.attempt < policy.maxAttempts();
        log.warn("dead-letter type={} trigger={} sink={} status={} latencyMs={} attempt={} relaytrace={} "
                + "knativeerrorcode={} outcome={}", failed.event.getType(), failed.trigger.name(), sinkDelivery.target,
                answer.status, answer.latencyMs, sinkDelivery.attempt, trace, errorCode,
                delivered ? "delivered" : retry ? "retry" : "failed");
        if (retry) {
            schedule(sinkDelivery, policy.delayBeforeRetry(sinkDelivery.attempt),
                    () -> attemptDeadLetter(sinkDelivery, failed, errorCode, errorData, status, latencyMs, error));
            return;
        }
        eventLog.recordDeadLetter(eventLog.deadLetterOf(sinkDelivery.event, failed.trigger.name(),
                failed.target.toString(), errorCode, errorData, sinkDelivery.target.toString(), answer.status,
                Instant.now()));
        finish(failed.entry, failed.trigger, failed.view(delivered ? EventLog.Outcome.DEAD_LETTERED
                : EventLog.Outcome.FAILED, status, latencyMs, null,
                delivered ? error : "dead-letter sink answered " + answer.status
                        + (answer.error == null ? "" : " (" + answer.error + ")")));
    }

    private void schedule(Delivery delivery, Duration wait, Runnable task) {
        try {
            timer.schedule(() -> submit(delivery, task), wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            finish(delivery.entry, delivery.trigger, delivery.view(EventLog.Outcome.FAILED, CONNECTION_ERROR, 0,
                    null, "broker stopped before the retry"));
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

    private void finish(EventLog.Entry entry, TriggerDefinition trigger, EventLog.DeliveryView view) {
        entry.addDelivery(view);
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
        volatile int attempt;

        Delivery(CloudEvent event, EventLog.Entry entry, TriggerDefinition trigger, URI target) {
            this.event = event;
            this.entry = entry;
            this.trigger = trigger;
            this.target = target;
        }

        EventLog.DeliveryView view(EventLog.Outcome outcome, int status, long latencyMs, CloudEvent reply,
                String error) {
            return new EventLog.DeliveryView(trigger.name(), target.toString(), outcome.label(), status, attempt,
                    latencyMs, reply == null ? null : reply.getId(), reply == null ? null : reply.getType(), error);
        }
    }
}
