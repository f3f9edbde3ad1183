package dev.relay.ingress;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventMetrics;
import dev.relay.shared.http.BoundedRequests;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.http.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * in, Relay CloudEvents out to the broker. Answers 200 {@code {"forwarded":n,...}} or an RFC 9457 problem: 4xx
 * (nothing forwarded, do not retry), 501 (producer not converted yet), 5xx (redeliver). Not at {@code /}: that is
 * shared's CloudEvent endpoint.
 */
@RestController
public class WebhookController {

    static final String FUNCTION = "webhook-ingress";
    private static final Logger log = LoggerFactory.getLogger(WebhookController.class);

    private final WebhookDispatcher dispatcher;
    private final IngressProperties properties;
    private final EventMetrics metrics;

    public WebhookController(WebhookDispatcher dispatcher, IngressProperties properties, EventMetrics metrics) {
        this.dispatcher = dispatcher;
        this.properties = properties;
        this.metrics = metrics;
    }

    @PostMapping({"/webhooks", "/webhooks/{producer}"})
    public ResponseEntity<?> receive(@PathVariable(name = "producer", required = false) String producer,
            HttpServletRequest request) {
        long started = System.nanoTime();
        DeliveryRecord record = new DeliveryRecord();
        String outcome = "failed";
        String why = "";
        try {
            WebhookRequest webhook = WebhookRequest.of(BoundedRequests.headers(request), BoundedRequests.body(request, properties.maxBody().toBytes(), "relay.ingress.max-body"), producer);
            AdapterResult result = dispatcher.dispatch(webhook, record);
            if (result instanceof AdapterResult.Forward forward) {
                outcome = "forwarded";
                return ResponseEntity.ok(Map.of("forwarded", forward.events().size(), "ids", record.ids()));
            }
            AdapterResult.Ignore ignore = (AdapterResult.Ignore) result;
            outcome = "ignored";
            why = ignore.reason();
            return ResponseEntity.ok(Map.of("forwarded", 0, "reason", ignore.reason()));
        } catch (EventRejectedException e) {
            outcome = e.status() == 401 ? "unauthorized" : "rejected";
            why = e.status() + " " + e.problemType() + ": " + e.detail();
            return Problems.of(e, problemProperties(record));
        } catch (UnsupportedProducerException e) {
            outcome = "rejected";
            why = "501 producer-not-implemented";
            Map<String, Object> properties = problemProperties(record);
            properties.put("issue", e.issue());
            return Problems.of(501, "producer-not-implemented", "Producer not supported yet", e.getMessage(),
                    properties);
        } catch (EventRetryableException e) {
            outcome = "failed";
            why = e.status() + " " + e.problemType() + ": " + e.detail();
            return Problems.of(e, problemProperties(record));
        } catch (RuntimeException e) {
            outcome = "failed";
            why = "500 " + e;
            log.error("webhook producer={} delivery={} failed", record.producer(), record.delivery(), e);
            return Problems.of(500, "internal-error", "Webhook ingress failed",
                    "An unexpected error occurred; redeliver the webhook. See the ingress log.",
                    problemProperties(record));
        } finally {
            metrics.record(FUNCTION, record.metricType(), outcome, Duration.ofNanos(System.nanoTime() - started));
            String line = "webhook producer={} event={} delivery={} outcome={} forwarded={} {}";
            Object[] args = {record.producer(), record.event(), record.delivery(), outcome, record.ids(), why};
            if (outcome.equals("forwarded") || outcome.equals("ignored")) {
                log.info(line, args);
            } else {
                log.warn(line, args);
            }
            MDC.remove(RelayExtensions.TRACE);
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
