package dev.relay.local.broker;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the embedded broker ({@code relay.local.broker.*}).
 *
 * @param triggersDir directory of Knative Trigger YAML files; when unset, {@code classpath:relay/triggers/*.yaml}
 * @param historySize how many recent events are kept in memory for {@code GET /broker/events}
 * @param deliveryThreads delivery threads per lane (one lane per config repository, one for everything else)
 * @param requestTimeout timeout of one delivery request
 * @param journalDir where accepted events and dead letters are journaled; when unset,
 *        {@code <relay.local.work-dir>/broker}
 * @param maxPendingDeliveries accepted deliveries not yet final before the ingress answers 503
 * @param drainTimeout how long a graceful shutdown waits for in-flight deliveries; the rest stay journaled
 */
@ConfigurationProperties("relay.local.broker")
public record BrokerProperties(
        Path triggersDir,
        @DefaultValue("500") int historySize,
        @DefaultValue("4") int deliveryThreads,
        @DefaultValue("60s") Duration requestTimeout,
        Path journalDir,
        @DefaultValue("10000") int maxPendingDeliveries,
        @DefaultValue("10s") Duration drainTimeout) {

    public BrokerProperties {
        if (historySize < 1) {
            throw new IllegalArgumentException("relay.local.broker.history-size must be at least 1, was " + historySize);
        }
        if (deliveryThreads < 1) {
            throw new IllegalArgumentException(
                    "relay.local.broker.delivery-threads must be at least 1, was " + deliveryThreads);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("relay.local.broker.request-timeout must be positive, was " + requestTimeout);
        }
        if (maxPendingDeliveries < 1) {
            throw new IllegalArgumentException(
                    "relay.local.broker.max-pending-deliveries must be at least 1, was " + maxPendingDeliveries);
        }
        if (drainTimeout == null || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("relay.local.broker.drain-timeout must not be negative, was "
                    + drainTimeout);
        }
    }

    public static BrokerProperties defaults(Path journalDir) {
        return new BrokerProperties(null, 500, 4, Duration.ofSeconds(60), journalDir, 10_000, Duration.ofSeconds(10));
    }
}
