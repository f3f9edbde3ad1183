package dev.relay.shared.tracing;

import dev.relay.shared.events.RelayExtensions;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * W3C trace context through the chain, on Micrometer Tracing. Each hop handles an event in its own span; the span's
 * parent is, in this order: the event's {@code traceparent} (the CloudEvents distributed-tracing extension; the
 * current HTTP server span instead when that already continues the same trace), the current span (the HTTP server
 * observation, which honours an HTTP {@code traceparent} header), an HTTP {@code traceparent} header, or nothing
 * (a new trace). Events a hop emits are {@linkplain #stamp stamped} with the handling span, so the trace id stays and
 * each hop has its own span id. A malformed {@code traceparent} is logged and ignored, never a reason to refuse an
 * event (the extension is optional).
 *
 * <p>A trace can cross a hop that carries no trace context (a GitOps tool syncing a commit) through Git: the writer
 * records {@link #currentTraceParent()} in a commit trailer, and the function the tool's notification reaches
 * {@linkplain #continueRecorded continues that recorded trace} in a span linked to its own handling span. Its answer
 * then carries the continued trace, and {@link #stamp(CloudEvent, CloudEvent) stamp} keeps it: <em>an answer that
 * already carries a valid {@code traceparent} of a trace other than both the handling span's and the cause's is left
 * as it is</em>; every other answer gets the handling span. No Spring here.
 */
public final class EventTracing {

    /** Span tags; {@code relaytrace} lets a trace be found from a commit's {@code Relay-Trace} trailer. */
    static final String TAG_FUNCTION = "relay.function";
    static final String TAG_EVENT_TYPE = "cloudevents.event_type";
    static final String TAG_EVENT_ID = "cloudevents.event_id";

    private static final Logger log = LoggerFactory.getLogger(EventTracing.class);
    private static final String HTTP_TRACEPARENT = "traceparent";
    private static final String HTTP_TRACESTATE = "tracestate";

    private final Tracer tracer;
    private final Propagator propagator;

    public EventTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /**
     * Starts the span in which {@code function} handles {@code event}; put it in scope with {@link #inScope} and end
     * it. {@code httpHeaders}: the request's headers (any case), for a {@code traceparent} header when no server
     * span exists.
     */
    public Span startHandling(String function, CloudEvent event, Map<String, String> httpHeaders) {
        Span.Builder builder = parentFor(event, httpHeaders);
        return eventTags(builder.name(function + " " + event.getType()).tag(TAG_FUNCTION, function), event).start();
    }

    /**
     * Starts the span of work that produces events from a request (a webhook): child of the current span, else of
     * the request's {@code traceparent} header, else a new trace.
     */
    public Span startProducing(String name, Map<String, String> httpHeaders) {
        return httpParent(caseInsensitive(httpHeaders)).name(name).kind(Span.Kind.PRODUCER).start();
    }

    public Tracer.SpanInScope inScope(Span span) {
        return tracer.withSpan(span);
    }

    /**
     * {@code answer} with the current span as its {@code traceparent}, and the {@code tracestate} of the trace: the
     * tracer's, else the one {@code cause} carried in the same trace (W3C: passed on unchanged). Unchanged when no
     * span is current, and when {@code answer} already continues another trace (see the class comment).
     */
    public CloudEvent stamp(CloudEvent answer, CloudEvent cause) {
        String causeTraceParent = RelayExtensions.read(cause, RelayExtensions.TRACEPARENT).orElse(null);
        if (continuesAnotherTrace(answer, causeTraceParent)) {
            return answer;
        }
        return stamp(answer, causeTraceParent, RelayExtensions.read(cause, RelayExtensions.TRACESTATE).orElse(null));
    }

    /** The current span as a {@code traceparent}, for a record that outlives the request (a commit trailer). */
    public Optional<TraceParent> currentTraceParent() {
        return TraceParent.parse(currentContext().get(HTTP_TRACEPARENT));
    }

    /**
     * Runs {@code work} in the trace {@code recorded} names (a {@code traceparent} a commit recorded, see
     * {@link #currentTraceParent()}): in a new span {@code name}, child of {@code recorded} and linked to the current
     * span; the answer of {@code work} carries that span and keeps it through {@link #stamp(CloudEvent, CloudEvent)}.
     * When {@code recorded} is absent, malformed (logged) or already the current trace, {@code work} just runs in the
     * current span. {@code cause}: the event being handled, for the span's event and {@code relaytrace} tags.
     */
    public CloudEvent continueRecorded(String name, String recorded, CloudEvent cause, Supplier<CloudEvent> work) {
        Optional<TraceParent> parent = TraceParent.parse(recorded);
        if (recorded != null && parent.isEmpty()) {
            log.warn("event {} id={}: the recorded traceparent is malformed; staying in the event's trace",
                    cause.getType(), cause.getId());
        }
        Span current = tracer.currentSpan();
        if (parent.isEmpty() || current != null && parent.get().traceId().equals(current.context().traceId())) {
            return work.get();
        }
        Span.Builder builder = eventTags(
                propagator.extract(Map.of(HTTP_TRACEPARENT, parent.get().value()), Map::get).name(name), cause);
        if (current != null) {
            builder.addLink(new Link(current.context()));
        }
        Span span = builder.start();
        try (Tracer.SpanInScope scope = tracer.withSpan(span)) {
            CloudEvent answer = work.get();
            return answer == null ? null : stamp(answer, cause);
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** Like {@link #stamp(CloudEvent, CloudEvent)} for an event made from an HTTP request (a webhook). */
    public CloudEvent stamp(CloudEvent event, Map<String, String> httpHeaders) {
        Map<String, String> headers = caseInsensitive(httpHeaders);
        return stamp(event, headers.get(HTTP_TRACEPARENT), headers.get(HTTP_TRACESTATE));
    }

    private boolean continuesAnotherTrace(CloudEvent answer, String causeTraceParent) {
        Optional<TraceParent> own = RelayExtensions.read(answer, RelayExtensions.TRACEPARENT)
                .flatMap(TraceParent::parse);
        Span current = tracer.currentSpan();
        return own.isPresent() && current != null && !own.get().traceId().equals(current.context().traceId())
                && TraceParent.parse(causeTraceParent).filter(c -> c.traceId().equals(own.get().traceId())).isEmpty();
    }

    private CloudEvent stamp(CloudEvent event, String causeTraceParent, String causeTraceState) {
        Map<String, String> context = currentContext();
        Optional<TraceParent> traceParent = TraceParent.parse(context.get(HTTP_TRACEPARENT));
        if (traceParent.isEmpty()) {
            return event;
        }
        String traceState = context.get(HTTP_TRACESTATE);
        if ((traceState == null || traceState.isBlank()) && causeTraceState != null && !causeTraceState.isBlank()
                && TraceParent.parse(causeTraceParent).filter(cause -> cause.traceId()
                        .equals(traceParent.get().traceId())).isPresent()) {
            traceState = causeTraceState;
        }
        CloudEventBuilder builder = CloudEventBuilder.v1(event)
                .withoutExtension(RelayExtensions.TRACESTATE)
                .withExtension(RelayExtensions.TRACEPARENT, traceParent.get().value());
        if (traceState != null && !traceState.isBlank()) {
            builder.withExtension(RelayExtensions.TRACESTATE, traceState);
        }
        return builder.build();
    }

    /** The current span as HTTP headers ({@code traceparent}, {@code tracestate}); empty when none is current. */
    public Map<String, String> currentContext() {
        Span current = tracer.currentSpan();
        Map<String, String> headers = new LinkedHashMap<>();
        if (current != null) {
            propagator.inject(current.context(), headers, Map::put);
        }
        return headers;
    }

    private Span.Builder parentFor(CloudEvent event, Map<String, String> httpHeaders) {
        Optional<String> raw = RelayExtensions.read(event, RelayExtensions.TRACEPARENT);
        Optional<TraceParent> fromEvent = raw.flatMap(TraceParent::parse);
        if (raw.isPresent() && fromEvent.isEmpty()) {
            log.warn("event {} id={} carries a malformed traceparent extension; handling it in a new span of the "
                    + "request's trace instead", event.getType(), event.getId());
        }
        if (fromEvent.isEmpty()) {
            return httpParent(caseInsensitive(httpHeaders));
        }
        Span current = tracer.currentSpan();
        if (current != null && fromEvent.get().traceId().equals(current.context().traceId())) {
            return tracer.spanBuilder().setParent(current.context());
        }
        Map<String, String> carrier = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        carrier.put(HTTP_TRACEPARENT, fromEvent.get().value());
        RelayExtensions.read(event, RelayExtensions.TRACESTATE).ifPresent(state -> carrier.put(HTTP_TRACESTATE, state));
        return propagator.extract(carrier, Map::get);
    }

    private Span.Builder httpParent(Map<String, String> headers) {
        Span current = tracer.currentSpan();
        if (current != null) {
            return tracer.spanBuilder().setParent(current.context());
        }
        if (TraceParent.parse(headers.get(HTTP_TRACEPARENT)).isPresent()) {
            return propagator.extract(headers, Map::get);
        }
        return tracer.spanBuilder().setNoParent();
    }

    /** A consumer span of {@code event}: its type, id and {@code relaytrace} as tags. */
    private static Span.Builder eventTags(Span.Builder builder, CloudEvent event) {
        return builder.kind(Span.Kind.CONSUMER)
                .tag(TAG_EVENT_TYPE, event.getType())
                .tag(TAG_EVENT_ID, event.getId())
                .tag(RelayExtensions.TRACE, RelayExtensions.traceOf(event));
    }

    private static Map<String, String> caseInsensitive(Map<String, String> headers) {
        Map<String, String> result = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, value) -> {
            if (name != null && value != null) {
                result.putIfAbsent(name, value);
            }
        });
        return result;
    }

}
