package dev.relay.ingress;

import io.cloudevents.CloudEvent;
import java.util.List;

/** What a webhook amounts to; bad input is not a result but an {@link dev.relay.shared.http.EventRejectedException}. */
public sealed interface AdapterResult {

    /** Post these events to the broker (in order). */
    record Forward(List<CloudEvent> events) implements AdapterResult {

        public Forward {
            events = List.copyOf(events);
            if (events.isEmpty()) {
                throw new IllegalArgumentException("nothing to forward: use Ignore");
            }
        }

        public static Forward of(CloudEvent event) {
            return new Forward(List.of(event));
        }
    }

    /** Accepted (2xx) but nothing for Relay: a ping, a branch deletion, an issue comment. */
    record Ignore(String reason) implements AdapterResult {
    }
}
