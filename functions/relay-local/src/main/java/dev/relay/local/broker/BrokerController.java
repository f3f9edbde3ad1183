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
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * HTTP face of the embedded broker.
 * <ul>
 *   <li>{@code POST /broker}: ingress, CloudEvents in binary or structured mode; 202, or a 400/413/415/503 problem</li>
 *   <li>{@code GET /broker/events?limit=N}: recent events with their deliveries, newest last</li>
 *   <li>{@code GET /broker/dead-letters}: dead-lettered events</li>
 *   <li>both views show every event's data, so they answer loopback clients only (403 problem otherwise) unless
 *   {@code relay.local.broker.remote-event-views=true} (logged at WARN)</li>
 *   <li>{@code GET /broker/triggers}: the Triggers in force</li>
 * </ul>
 */
@RestController
public class BrokerController {

    static final int MAX_EVENT_BYTES = 1024 * 1024;

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
            event = CloudEventCodec.read(BoundedRequests.headers(request),
                    BoundedRequests.body(request, MAX_EVENT_BYTES, "the embedded broker's fixed limit"));
        } catch (EventRejectedException e) {
            return Problems.of(e, Map.of());
        }
        try {
            broker.publish(event);
        } catch (EmbeddedBroker.BrokerOverloadedException e) {
            return Problems.of(503, "broker-overloaded", "Broker overloaded", e.getMessage(), Map.of());
        }
        return ResponseEntity.accepted().build();
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
