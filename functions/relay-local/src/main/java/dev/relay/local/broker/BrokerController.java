package dev.relay.local.broker;

import dev.relay.shared.http.BoundedRequests;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.Problems;
import io.cloudevents.CloudEvent;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *   <li>{@code GET /broker/triggers}: the Triggers in force</li>
 * </ul>
 */
@RestController
public class BrokerController {

    static final int MAX_EVENT_BYTES = 1024 * 1024;

    private final EmbeddedBroker broker;

    public BrokerController(EmbeddedBroker broker) {
        this.broker = broker;
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
    public ResponseEntity<?> events(@RequestParam(name = "limit", required = false) Integer limit) {
        if (limit != null && limit < 1) {
            return Problems.of(400, "invalid-limit", "Invalid limit", "limit must be at least 1, was " + limit,
                    Map.of());
        }
        return ResponseEntity.ok(limit == null ? broker.recentEvents() : broker.recentEvents(limit));
    }

    @GetMapping("/broker/dead-letters")
    public List<EventLog.DeadLetterView> deadLetters() {
        return broker.deadLetters();
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
