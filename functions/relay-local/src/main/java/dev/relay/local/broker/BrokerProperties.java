package dev.relay.local.broker;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the embedded broker ({@code relay.local.broker.*}).
 *
 * @param triggersDir directory of Knative Trigger YAML files; when unset, {@code classpath:relay/triggers/*.yaml}
 * @param historySize how many recent events (and dead letters) are kept for {@code GET /broker/events}
 * @param deliveryThreads threads that deliver events to subscribers
 * @param requestTimeout timeout of one delivery request
 */
@ConfigurationProperties("relay.local.broker")
public record BrokerProperties(
        Path triggersDir,
        @DefaultValue("500") int historySize,
        @DefaultValue("8") int deliveryThreads,
        @DefaultValue("60s") Duration requestTimeout) {

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
    }

    public static BrokerProperties defaults() {
        return new BrokerProperties(null, 500, 8, Duration.ofSeconds(60));
    }
}
