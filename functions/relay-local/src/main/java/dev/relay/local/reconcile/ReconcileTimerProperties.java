package dev.relay.local.reconcile;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * relay-local's stand-in for the Knative PingSource of {@code knative/reconcile/}: every {@code interval} it publishes
 * a reconcile tick to the embedded broker ({@code relay.local.reconcile.*}).
 *
 * @param interval time between ticks, the first one {@code interval} after start; {@code 0}: no ticks
 */
@ConfigurationProperties("relay.local.reconcile")
public record ReconcileTimerProperties(@DefaultValue("5m") Duration interval) {

    public ReconcileTimerProperties {
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("relay.local.reconcile.interval must be 0 (off) or positive, was "
                    + interval);
        }
    }
}
