package dev.relay.ingress.alert;

import dev.relay.ingress.DeliveryIds;
import dev.relay.ingress.IngressProperties;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.util.regex.Pattern;

/**
 * An SLO breach for one Relay app and environment, normalised from a firing alert, validated before it is forwarded:
 * app and environment are DNS-1123 labels, the metric (the alert's name) is 1-128 printable characters.
 *
 * @param value     the measured value, when the alert carries one (annotation {@code value}), else null
 * @param threshold the threshold, when the alert carries one (annotation {@code threshold}), else null
 * @param startsAt  when the alert started firing (RFC 3339, as Alertmanager sent it)
 */
public record MetricBreach(String eventId, String app, String environment, String metric, Double value,
        Double threshold, String startsAt, String fingerprint) {

    static final Pattern NAME = Pattern.compile(IngressProperties.NAME);
    static final Pattern METRIC = Pattern.compile("[\\p{Graph} ]{1,128}");

    /** @throws EventRejectedException 422 naming the invalid field */
    public MetricBreach {
        requireName("app", app);
        requireName("environment", environment);
        if (metric == null || !METRIC.matcher(metric).matches()) {
            throw invalid("alertname '" + DeliveryIds.printable(metric) + "' is not 1-128 printable characters.");
        }
    }

    public Data payload() {
        return new Data(app, environment, metric, value, threshold, startsAt, fingerprint);
    }

    /** {@code dev.relay.metric.breached}, starting a chain, with {@code relayapp} and {@code relayenv}. */
    public CloudEvent toEvent() {
        CloudEvent start = RelayAnswers.start(eventId, RelayEventTypes.METRIC_BREACHED, RelaySources.WEBHOOK_INGRESS,
                payload(), app);
        return CloudEventBuilder.v1(start).withExtension(RelayExtensions.ENVIRONMENT, environment).build();
    }

    /** The event data: {@code Payloads.MetricBreached}'s fields plus the alert's {@code startsAt} and fingerprint. */
    public record Data(String app, String environment, String metric, Double value, Double threshold, String startsAt,
            String fingerprint) {
    }

    private static void requireName(String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw invalid(field + " '" + DeliveryIds.printable(value)
                    + "' is not a Relay name (DNS-1123 label: lowercase letters, digits, '-').");
        }
    }

    static EventRejectedException invalid(String detail) {
        return EventRejectedException.unprocessable("invalid-alert", "Invalid alert", detail);
    }
}
