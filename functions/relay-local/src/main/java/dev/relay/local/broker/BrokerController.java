package dev.relay.local.broker;

import dev.relay.shared.http.BoundedRequests;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.Problems;
import io.cloudevents.CloudEvent;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * HTTP face of the embedded broker.
 * <ul>
 *   <li>{@code POST /broker}: ingress, CloudEvents in binary or structured mode; 202 once journaled, or a
 *       400/413/415/422 problem (nothing accepted), or 503 with {@code Retry-After} (full or stopping)</li>
 *   <li>{@code GET /broker/events?limit=N}: recent events with their deliveries, newest last</li>
 *   <li>{@code GET /broker/dead-letters}: dead letters not yet replayed, with their reason</li>
 *   <li>{@code POST /broker/dead-letters/{id}/replay}, {@code POST /broker/dead-letters/replay}: put one, or
 *       all, back on the broker</li>
 *   <li>both views show every event's data, so they answer loopback clients only (403 problem otherwise) unless
 *   {@code relay.local.broker.remote-event-views=true} (logged at WARN)</li>
 *   <li>{@code GET /broker/triggers}: the Triggers in force</li>
 * </ul>
 */
@RestController
public class BrokerController {

    static final int MAX_EVENT_BYTES = 1024 * 1024;
    static final String RETRY_AFTER_SECONDS = "1";

    static final String REMOTE_VIEWS = "relay.local.broker.remote-event-views";
    private static final Logger log = LoggerFactory.getLogger(BrokerController.class);

    private final EmbeddedBroker broker;
    private final boolean remoteViews;

    public BrokerController(EmbeddedBroker broker, @Value("${" + REMOTE_VIEWS + ":false}") boolean remoteViews) {
        this.broker = broker;
        this.remoteViews = remoteViews;
        if (remoteViews) {
            log.warn("{}=true: /broker/events and /broker/dead-letters show every event's data to any client that "
                    + "reaches this port", REMOTE_VIEWS);
        }
    }

    @PostMapping("/broker")
    public ResponseEntity<?> ingress(HttpServletRequest request) {
        CloudEvent event;
        try {
            Map<String, String> headers = BoundedRequests.headers(request);
            event = TraceContinuation.continueTrace(CloudEventCodec.read(headers,
                    BoundedRequests.body(request, MAX_EVENT_BYTES, "the embedded broker's fixed limit")), headers);
            if (!broker.matchingTriggers(event).isEmpty()) {
                RelayPayloadCheck.check(event);
            }
        } catch (EventRejectedException e) {
            return Problems.of(e, Map.of());
        }
        try {
            broker.publish(event);
        } catch (EmbeddedBroker.BrokerUnavailableException e) {
            return unavailable(e);
        }
        return ResponseEntity.accepted().build();
    }

    @PostMapping("/broker/dead-letters/{id}/replay")
    public ResponseEntity<?> replayDeadLetter(@PathVariable("id") String id) {
        try {
            return broker.replayDeadLetter(id)
                    .<ResponseEntity<?>>map(letter -> ResponseEntity.accepted().body(Map.of("replayed", List.of(letter))))
                    .orElseGet(() -> Problems.of(404, "unknown-dead-letter", "No such dead letter",
                            "No dead letter '" + Problems.shown(id, 100) + "' is kept (it may have been replayed).",
                            Map.of()));
        } catch (IllegalStateException e) {
            return Problems.of(409, "trigger-gone", "The dead letter's Trigger no longer exists", e.getMessage(),
                    Map.of());
        } catch (EmbeddedBroker.BrokerUnavailableException e) {
            return unavailable(e);
        }
    }

    @PostMapping("/broker/dead-letters/replay")
    public ResponseEntity<?> replayDeadLetters() {
        try {
            return ResponseEntity.accepted().body(Map.of("replayed", broker.replayDeadLetters()));
        } catch (EmbeddedBroker.BrokerUnavailableException e) {
            return unavailable(e);
        }
    }

    private static ResponseEntity<?> unavailable(EmbeddedBroker.BrokerUnavailableException e) {
        return ResponseEntity.status(503).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.of(503, e instanceof EmbeddedBroker.BrokerOverloadedException ? "broker-overloaded"
                        : "broker-unavailable", "Broker unavailable", e.getMessage(), Map.of()).getBody());
    }

    @GetMapping("/broker/events")
    public ResponseEntity<?> events(@RequestParam(name = "limit", required = false) Integer limit,
            HttpServletRequest request) {
        if (!mayView(request)) {
            return localOnly();
        }
        if (limit != null && limit < 1) {
            return Problems.of(400, "invalid-limit", "Invalid limit", "limit must be at least 1, was " + limit,
                    Map.of());
        }
        return ResponseEntity.ok(limit == null ? broker.recentEvents() : broker.recentEvents(limit));
    }

    @GetMapping("/broker/dead-letters")
    public ResponseEntity<?> deadLetters(HttpServletRequest request) {
        if (!mayView(request)) {
            return localOnly();
        }
        return ResponseEntity.ok(broker.deadLetters());
    }

    private boolean mayView(HttpServletRequest request) {
        if (remoteViews) {
            return true;
        }
        String remote = request.getRemoteAddr();
        if (remote == null || !remote.matches("[0-9a-fA-F.:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(remote).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static ResponseEntity<?> localOnly() {
        return Problems.of(403, "local-only", "Event views are local only",
                "/broker/events and /broker/dead-letters answer loopback clients only; set " + REMOTE_VIEWS
                        + "=true to open them.", Map.of());
    }

    @GetMapping("/broker/triggers")
    public List<Map<String, Object>> triggers() {
        return broker.triggers().stream().map(trigger -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", trigger.name());
            view.put("broker", trigger.broker());
            view.put("filter", trigger.filter().toString());
            view.put("subscriber", trigger.subscriber().toString());
            view.put("delivery", trigger.delivery().toString());
            view.put("origin", trigger.origin());
            return view;
        }).toList();
    }
}
