package dev.relay.shared.http;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP face of every Relay function: {@code POST /} invokes the function named by
 * {@code spring.cloud.function.definition}, {@code POST /<name>} a named one (relay-local hosts several). Accepts
 * binary and structured CloudEvents, answers the function's CloudEvent in binary mode, and turns every failure
 * into an RFC 9457 problem: 4xx changes nothing and is not retried, 5xx asks the broker to retry. Each event is
 * handled in its own span of the trace its {@code traceparent} names, and the answer carries that span as its
 * {@code traceparent} ({@link EventTracing}).
 */
@RestController
public class CloudEventEndpoint {

    private static final Logger log = LoggerFactory.getLogger(CloudEventEndpoint.class);

    private final FunctionCatalog catalog;
    private final RelayHttpProperties properties;
    private final EventMetrics metrics;
    private final EventTracing tracing;

    public CloudEventEndpoint(FunctionCatalog catalog, RelayHttpProperties properties, EventMetrics metrics,
            EventTracing tracing) {
        this.catalog = catalog;
        this.properties = properties;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    @PostMapping("/")
    public ResponseEntity<?> invokeDefault(HttpServletRequest request) {
        String definition = properties.defaultFunction();
        if (definition == null || definition.isBlank()) {
            return Problems.of(404, "no-default-function", "No function at /",
                    "This process hosts several functions; POST to /<function-name>.", Map.of());
        }
        return invoke(definition, request);
    }

    @PostMapping("/{function}")
    public ResponseEntity<?> invokeNamed(@PathVariable("function") String function, HttpServletRequest request) {
        return invoke(function, request);
    }

    private ResponseEntity<?> invoke(String functionName, HttpServletRequest request) {
        long started = System.nanoTime();
        Function<CloudEvent, CloudEvent> function = lookup(functionName);
        if (function == null) {
            return Problems.of(404, "unknown-function", "No such function",
                    "No function named '" + functionName + "' is hosted here.", Map.of());
        }
        CloudEvent event = null;
        String outcome = "failed";
        Span span = null;
        Tracer.SpanInScope scope = null;
        try {
            Map<String, String> headers = BoundedRequests.headers(request);
            event = CloudEventCodec.read(headers,
                    BoundedRequests.body(request, properties.maxEventBytes(), "relay.http.max-event-bytes"));
            span = tracing.startHandling(functionName, event, headers);
            scope = tracing.inScope(span);
            MDC.put(RelayExtensions.TRACE, RelayExtensions.traceOf(event));
            CloudEvent answer = function.apply(event);
            if (answer == null) {
                outcome = "no-answer";
                log.info("event {} id={} handled by {}: no answer", LogSafe.of(event.getType()),
                        LogSafe.of(event.getId()), functionName);
                return ResponseEntity.accepted().build();
            }
            answer = tracing.stamp(answer, event);
            outcome = answer.getType();
            log.info("event {} id={} handled by {}: answered {} id={}", LogSafe.of(event.getType()),
                    LogSafe.of(event.getId()), functionName, LogSafe.of(answer.getType()), LogSafe.of(answer.getId()));
            CloudEventCodec.HttpEvent http = CloudEventCodec.write(answer);
            HttpHeaders answerHeaders = new HttpHeaders();
            http.headers().forEach(answerHeaders::set);
            return ResponseEntity.ok().headers(answerHeaders).body(http.body());
        } catch (RelayEventException e) {
            outcome = e instanceof EventRejectedException ? "rejected" : "retryable";
            logProblem(functionName, event, e);
            return Problems.of(e, problemProperties(event));
        } catch (RuntimeException e) {
            outcome = "failed";
            if (span != null) {
                span.error(e);
            }
            log.error("event {} id={} failed in {}: {}", event == null ? "?" : LogSafe.of(event.getType()),
                    event == null ? "?" : LogSafe.of(event.getId()), functionName, LogSafe.of(e.toString()), e);
            return Problems.of(500, "internal-error", "The function failed",
                    "An unexpected error occurred; the broker may retry. See the function's log.",
                    problemProperties(event));
        } finally {
            metrics.record(functionName, event == null ? "invalid" : event.getType(), outcome,
                    Duration.ofNanos(System.nanoTime() - started));
            MDC.remove(RelayExtensions.TRACE);
            if (span != null) {
                span.tag("relay.outcome", outcome);
                scope.close();
                span.end();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Function<CloudEvent, CloudEvent> lookup(String name) {
        if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            return null;
        }
        Object function = catalog.lookup(Function.class, name);
        return function instanceof Function<?, ?> f ? (Function<CloudEvent, CloudEvent>) f : null;
    }

    private static Map<String, Object> problemProperties(CloudEvent event) {
        Map<String, Object> properties = new LinkedHashMap<>();
        if (event != null) {
            properties.put("eventId", event.getId());
            properties.put("eventType", event.getType());
            properties.put(RelayExtensions.TRACE, RelayExtensions.traceOf(event));
        }
        return properties;
    }

    private static void logProblem(String function, CloudEvent event, RelayEventException e) {
        String type = event == null ? "?" : LogSafe.of(event.getType());
        String id = event == null ? "?" : LogSafe.of(event.getId());
        if (e instanceof EventRejectedException) {
            log.warn("event {} id={} rejected by {}: {} {} {}", type, id, function, e.status(), e.problemType(),
                    LogSafe.of(e.detail()));
        } else {
            log.warn("event {} id={} failed transiently in {}: {} {} {}", type, id, function, e.status(),
                    e.problemType(), LogSafe.of(e.detail()));
        }
    }
}
