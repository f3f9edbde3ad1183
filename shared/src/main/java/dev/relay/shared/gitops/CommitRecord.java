package dev.relay.shared.gitops;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One commit of a config repository as Relay reads it back: its trailers are the chain's durable facts.
 *
 * @param trailers trailer values by key, in commit order (a key may repeat)
 */
public record CommitRecord(String id, Instant time, String subject, Map<String, List<String>> trailers) {

    public CommitRecord {
        trailers = Map.copyOf(trailers);
    }

    /** The last value of trailer {@code key}, if the commit carries it. */
    public java.util.Optional<String> trailer(String key) {
        List<String> values = trailers.get(key);
        return values == null || values.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(values.get(values.size() - 1));
    }
}
