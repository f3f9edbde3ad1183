package dev.relay.scan.reconcile;

import dev.relay.shared.http.BrokerPoster;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Posts a repair (an ordinary event) to the broker with a {@link BrokerPoster}: the broker is
 * {@code relay.reconcile.sink}, else {@code K_SINK} (knative/on-image-scan/sinkbinding.yaml injects it); the
 * SinkBinding's OIDC token is {@code relay.reconcile.sink-token-file}, else {@code /oidc/token}; both read at each
 * send. A broker that does not take it fails the tick with 502/503, so the tick is redelivered; repairs have
 * deterministic ids, so a redelivered tick repeats no effect.
 */
public final class RepairSink {

    static final String SINK_PROPERTY = "relay.reconcile.sink";
    static final String SINK_TOKEN_FILE_PROPERTY = "relay.reconcile.sink-token-file";

    private final BrokerPoster poster;

    public RepairSink(Function<String, String> environment, Duration timeout) {
        this(environment, timeout, Map::of);
    }

    public RepairSink(Function<String, String> environment, Duration timeout,
            Supplier<Map<String, String>> traceContext) {
        this.poster = new BrokerPoster(new BrokerPoster.Route("on-image-scan", SINK_PROPERTY, SINK_TOKEN_FILE_PROPERTY,
                "redeliver the tick"), environment, timeout, timeout, traceContext);
    }

    public void send(CloudEvent event) {
        poster.post(event);
    }
}
