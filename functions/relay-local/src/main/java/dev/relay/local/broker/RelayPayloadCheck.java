package dev.relay.local.broker;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the broker can know about Relay's own event types before accepting them: the data is a JSON object that
 * is JSON read as the functions read it ({@link EventPayloads}: 400/415 as they would answer) and carries the
 * fields the subscribing function requires (422). So a request the function would refuse with 4xx is refused at
 * the ingress instead of being accepted, retried and dead-lettered. Other types pass unchecked.
 */
final class RelayPayloadCheck {

    /** Relay's types that have a subscriber, and the data fields it cannot do without. */
    private static final Map<String, List<String>> REQUIRED_FIELDS = Map.of(
            RelayEventTypes.GIT_PUSHED, List.of("repository", "ref", "commit"),
            RelayEventTypes.IMAGE_PUSHED, List.of("image", "digest"),
            RelayEventTypes.SCAN_PASSED, List.of("image", "tag", "digest"),
            RelayEventTypes.PROMOTION_APPROVED, List.of("app", "environment"),
            RelayEventTypes.VERIFY_PASSED, List.of(),
            RelayEventTypes.VERIFY_FAILED, List.of(),
            RelayEventTypes.SYNC_SUCCEEDED, List.of(),
            RelayEventTypes.METRIC_BREACHED, List.of());

    private RelayPayloadCheck() {
    }

    /** @throws EventRejectedException when the subscribing function would refuse the event with 4xx */
    static void check(CloudEvent event) {
        List<String> required = REQUIRED_FIELDS.get(event.getType());
        if (required == null) {
            return;
        }
        JsonNode data = EventPayloads.read(event, JsonNode.class);
        if (!data.isObject()) {
            throw EventRejectedException.badRequest("malformed-data", "The event data is not a JSON object",
                    "A " + event.getType() + " event needs a JSON object as data.");
        }
        for (String field : required) {
            JsonNode value = data.get(field);
            if (value == null || !value.isString() || value.asString().isBlank()) {
                throw EventRejectedException.unprocessable("missing-field", "Missing field",
                        "The " + event.getType().substring("dev.relay.".length()) + " data needs a non-empty '"
                                + field + "'.");
            }
        }
    }
}
