package dev.relay.ingress;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventMetrics;
import dev.relay.shared.http.BoundedRequests;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.http.Problems;
import dev.relay.shared.tracing.EventTracing;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /webhooks} (producer told from headers and body) and {@code POST /webhooks/<producer>}: raw webhooks
 * in, Relay CloudEvents out to the broker. Answers 200 {@code {"forwarded":n,...}} (with {@code rejected} and
 * {@code rejectedReasons} when invalid entries of a batch were skipped: each is logged at WARN and counted with
 * outcome {@code rejected-event}) or an RFC 9457 problem: 4xx (nothing forwarded, do not retry), 5xx (redeliver).
 * Not at {@code /}: that is shared's CloudEvent endpoint.
 */
@RestController
public class WebhookController {

    static final String FUNCTION = "webhook-ingress";
    /** Metric outcome of one invalid entry skipped inside an otherwise valid delivery. */
    static final String REJECTED_EVENT = "rejected-event";
    private static final Logger log = LoggerFactory.getLogger(WebhookController.class);

    private final WebhookDispatcher dispatcher;
    private final IngressProperties properties;
    private final EventMetrics metrics;
    private final EventTracing tracing;

    public WebhookController(WebhookDispatcher dispatcher, IngressProperties properties, EventMetrics metrics,
            EventTracing tracing) {
        this.dispatcher = dispatcher;
        this.properties = properties;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    @PostMapping({"/webhooks", "/webhooks/{producer}"})
    public ResponseEntity<?> receive(@PathVariable(name = "producer", required = false) String producer,
            HttpServletRequest request) {
        long started = System.nanoTime();
        DeliveryRecord record = new DeliveryRecord();
        String outcome = "failed";
        String why = "";
        List<String> rejected = List.of();
        Map<String, String> headers = BoundedRequests.headers(request);
        Span span = tracing.startProducing("webhook", headers);
        Tracer.SpanInScope scope = tracing.inScope(span);
        try {
            WebhookRequest webhook = WebhookRequest.of(headers,
                    BoundedRequests.body(request, properties.maxBody().toBytes(), "relay.ingress.max-body"), producer);
            AdapterResult result = dispatcher.dispatch(webhook, record);
            rejected = result.rejected();
            Map<String, Object> body = new LinkedHashMap<>();
            if (result instanceof AdapterResult.Forward forward) {
                outcome = "forwarded";
                body.put("forwarded", forward.events().size());
                body.put("ids", record.ids());
            } else {
                AdapterResult.Ignore ignore = (AdapterResult.Ignore) result;
                outcome = "ignored";
                why = ignore.reason();
                body.put("forwarded", 0);
                body.put("reason", ignore.reason());
            }
            if (!rejected.isEmpty()) {
                body.put("rejected", rejected.size());
                body.put("rejectedReasons", rejected);
            }
            return ResponseEntity.ok(body);
        } catch (EventRejectedException e) {
            outcome = e.status() == 401 ? "unauthorized" : "rejected";
            why = e.status() + " " + e.problemType() + ": " + e.detail();
            return Problems.of(e, problemProperties(record));
        } catch (EventRetryableException e) {
            outcome = "failed";
            why = e.status() + " " + e.problemType() + ": " + e.detail();
            return Problems.of(e, problemProperties(record));
        } catch (RuntimeException e) {
            outcome = "failed";
            why = "500 " + e;
            span.error(e);
            log.error("webhook producer={} delivery={} failed", record.producer(), record.delivery(), e);
            return Problems.of(500, "internal-error", "Webhook ingress failed",
                    "An unexpected error occurred; redeliver the webhook. See the ingress log.",
                    problemProperties(record));
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            metrics.record(FUNCTION, record.metricType(), outcome, took);
            for (String reason : rejected) {
                metrics.record(FUNCTION, record.producer(), REJECTED_EVENT, took);
                log.warn("webhook producer={} delivery={} skipped an invalid event: {}", record.producer(),
                        record.delivery(), reason);
            }
            String line = "webhook producer={} event={} delivery={} outcome={} forwarded={} {}";
            Object[] args = {record.producer(), record.event(), record.delivery(), outcome, record.ids(), why};
            if (outcome.equals("forwarded") || outcome.equals("ignored")) {
                log.info(line, args);
            } else {
                log.warn(line, args);
            }
            MDC.remove(RelayExtensions.TRACE);
            span.name("webhook " + record.producer()).tag("relay.producer", record.producer())
                    .tag("relay.outcome", outcome);
            scope.close();
            span.end();
        }
    }

    private static Map<String, Object> problemProperties(DeliveryRecord record) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("producer", record.producer());
        if (!record.delivery().equals("-")) {
            properties.put("delivery", record.delivery());
        }
        return properties;
    }
}
