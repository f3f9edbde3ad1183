package dev.relay.ingress;

import io.cloudevents.CloudEvent;
import java.util.List;

/**
 * What a webhook amounts to; a webhook that is bad as a whole is not a result but an
 * {@link dev.relay.shared.http.EventRejectedException}. A producer that batches several events in one delivery (the
 * distribution registry, Alertmanager) would redeliver the whole batch forever if one bad entry made it a 4xx, so
 * such an entry is {@linkplain #rejected() rejected} on its own: the rest is forwarded and the answer stays 2xx.
 */
public sealed interface AdapterResult {

    /** Why each skipped invalid entry of the delivery was skipped ("events[2] (id …): …"); usually empty. */
    List<String> rejected();

    /** Post these events to the broker (in order). */
    record Forward(List<CloudEvent> events, List<String> rejected) implements AdapterResult {

        public Forward {
            events = List.copyOf(events);
            rejected = rejected == null ? List.of() : List.copyOf(rejected);
            if (events.isEmpty()) {
                throw new IllegalArgumentException("nothing to forward: use Ignore");
            }
        }

        public Forward(List<CloudEvent> events) {
            this(events, List.of());
        }

        public static Forward of(CloudEvent event) {
            return new Forward(List.of(event));
        }
    }

    /** Accepted (2xx) but nothing for Relay: a ping, a branch deletion, an issue comment, a resolved alert. */
    record Ignore(String reason, List<String> rejected) implements AdapterResult {

        public Ignore {
            rejected = rejected == null ? List.of() : List.copyOf(rejected);
        }

        public Ignore(String reason) {
            this(reason, List.of());
        }
    }
}
