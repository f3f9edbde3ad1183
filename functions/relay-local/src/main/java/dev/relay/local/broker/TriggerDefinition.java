package dev.relay.local.broker;

import java.util.Objects;

/**
 * One Knative {@code Trigger} ({@code eventing.knative.dev/v1}) as the embedded broker uses it.
 *
 * @param name {@code metadata.name}
 * @param broker {@code spec.broker}; the embedded broker serves every broker name
 * @param filter {@code spec.filters} when present, else {@code spec.filter.attributes}, else none
 * @param subscriber {@code spec.subscriber}
 * @param delivery {@code spec.delivery}
 * @param origin where it was read from, for messages
 */
public record TriggerDefinition(String name, String broker, TriggerFilter filter, Destination subscriber,
        DeliveryPolicy delivery, String origin) {

    public TriggerDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(subscriber, "subscriber");
        delivery = delivery == null ? DeliveryPolicy.NONE : delivery;
        broker = broker == null ? "default" : broker;
    }
}
