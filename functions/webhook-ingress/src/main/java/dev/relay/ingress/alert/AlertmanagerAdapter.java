package dev.relay.ingress.alert;

import static dev.relay.ingress.git.JsonFields.text;

import dev.relay.ingress.AdapterResult;
import dev.relay.ingress.DeliveryIds;
import dev.relay.ingress.IngressProperties;
import dev.relay.ingress.WebhookAdapter;
import dev.relay.ingress.WebhookRequest;
import dev.relay.ingress.WebhookSecret;
import dev.relay.ingress.git.JsonFields;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Alertmanager's {@code webhook_config} receiver, message version "4" ({@code notify/webhook} {@code Message}:
 * {@code version}, {@code groupKey}, {@code truncatedAlerts}, {@code status}, {@code receiver}, {@code groupLabels},
 * {@code commonLabels}, {@code commonAnnotations}, {@code externalURL}, {@code alerts[]}), authenticated by
 * {@code Authorization} (the receiver's {@code http_config.authorization}: {@code Bearer <secret>}, or
 * {@code http_config.basic_auth}: Basic with the secret as password and, when set, providers.alertmanager.username).
 *
 * <p>Each firing alert names its app by the label {@code relay.ingress.alertmanager.app-label} (default
 * {@code relay_app}, else {@code app-fallback-label}, default {@code service}) and its environment by
 * {@code environment-label} (default {@code relay_environment}, else {@code environment-fallback-label}, default
 * {@code environment}). The message yields one {@code dev.relay.metric.breached} per distinct (app, environment), from
 * the earliest-started firing alert of that pair: metric = its {@code alertname}, value and threshold = its annotations
 * {@code value} / {@code threshold} when they parse as numbers (else null). The id is derived from {@code groupKey},
 * that alert's {@code fingerprint} and {@code startsAt}: Alertmanager re-notifying a still-firing group (every
 * {@code repeat_interval}, or when another alert joins it) yields the same id.
 *
 * <p>Resolved alerts, and a message whose status is {@code resolved}, forward nothing (2xx with the reason); firing
 * alerts without the labels are not Relay's and are skipped; a firing alert whose labels are invalid is skipped as a
 * rejected entry (logged, counted) so the rest of the group still arrives — Alertmanager would otherwise retry it.
 */
public final class AlertmanagerAdapter implements WebhookAdapter {

    public static final String PRODUCER = "alertmanager";
    static final String AUTHORIZATION = "Authorization";
    static final String VERSION = "4";

    private final IngressProperties.Alertmanager settings;

    public AlertmanagerAdapter(IngressProperties.Alertmanager settings) {
        this.settings = settings;
    }

    @Override
    public String producer() {
        return PRODUCER;
    }

    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(PRODUCER::equals).orElseGet(() -> {
            JsonNode json = request.json();
            return json.path("version").isString() && json.path("groupKey").isString() && json.path("alerts").isArray()
                    || (VERSION.equals(text(json, "version")) && json.path("alerts").isArray());
        });
    }

    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
        secret.requireAuthorization(AUTHORIZATION, request.header(AUTHORIZATION));
    }

    @Override
    public String eventName(WebhookRequest request) {
        return text(request.json(), "status");
    }

    @Override
    public String deliveryId(WebhookRequest request) {
        return text(request.json(), "groupKey");
    }

    @Override
    public AdapterResult adapt(WebhookRequest request) {
        JsonNode json = JsonFields.object(request, PRODUCER);
        String version = text(json, "version");
        JsonNode alerts = json.path("alerts");
        if (!VERSION.equals(version) || !alerts.isArray()) {
            throw EventRejectedException.badRequest("invalid-webhook-payload", "Not an Alertmanager v4 message",
                    "An Alertmanager webhook message has \"version\": \"4\" and an \"alerts\" array; got version '"
                            + DeliveryIds.printable(version) + "'.");
        }
        if ("resolved".equals(text(json, "status"))) {
            return new AdapterResult.Ignore("resolved: nothing to forward");
        }
        String groupKey = text(json, "groupKey");
        Map<String, List<Firing>> byTarget = new LinkedHashMap<>();
        List<String> rejected = new ArrayList<>();
        int resolved = 0;
        int unlabelled = 0;
        for (int i = 0; i < alerts.size(); i++) {
            JsonNode alert = alerts.get(i);
            if (!"firing".equals(text(alert, "status"))) {
                resolved++;
                continue;
            }
            JsonNode labels = alert.path("labels");
            String app = label(labels, settings.appLabel(), settings.appFallbackLabel());
            String environment = label(labels, settings.environmentLabel(), settings.environmentFallbackLabel());
            if (app == null || environment == null) {
                unlabelled++;
                continue;
            }
            try {
                Firing firing = new Firing(i, startsAt(alert), new MetricBreach(
                        DeliveryIds.derived(PRODUCER, groupKey, fingerprintOf(alert), text(alert, "startsAt")),
                        app, environment, text(labels, "alertname"),
                        number(alert.path("annotations"), "value"), number(alert.path("annotations"), "threshold"),
                        text(alert, "startsAt"), text(alert, "fingerprint")));
                byTarget.computeIfAbsent(app + "/" + environment, key -> new ArrayList<>()).add(firing);
            } catch (EventRejectedException e) {
                rejected.add("alerts[" + i + "] (fingerprint " + DeliveryIds.printable(text(alert, "fingerprint"))
                        + "): " + e.detail());
            }
        }
        List<CloudEvent> forward = byTarget.values().stream()
                .map(firings -> firings.stream().min(Firing.EARLIEST).orElseThrow().breach().toEvent())
                .toList();
        if (forward.isEmpty()) {
            return new AdapterResult.Ignore("no firing alert names a Relay app and environment among " + alerts.size()
                    + " alerts (" + resolved + " resolved, " + unlabelled + " without the labels "
                    + labelNames() + ", " + rejected.size() + " invalid)", rejected);
        }
        return new AdapterResult.Forward(forward, rejected);
    }

    private String labelNames() {
        return settings.appLabel() + orFallback(settings.appFallbackLabel()) + " and " + settings.environmentLabel()
                + orFallback(settings.environmentFallbackLabel());
    }

    private static String orFallback(String fallback) {
        return fallback.isEmpty() ? "" : "/" + fallback;
    }

    private static String label(JsonNode labels, String name, String fallback) {
        String value = text(labels, name);
        if (value == null && !fallback.isEmpty()) {
            value = text(labels, fallback);
        }
        return value == null || value.isBlank() ? null : value;
    }

    /** The alert's fingerprint; without one, its labels in a stable order (what Alertmanager fingerprints). */
    private static String fingerprintOf(JsonNode alert) {
        String fingerprint = text(alert, "fingerprint");
        if (fingerprint != null) {
            return fingerprint;
        }
        Map<String, String> sorted = new TreeMap<>();
        alert.path("labels").properties().forEach(entry -> sorted.put(entry.getKey(), entry.getValue().asString()));
        return sorted.toString();
    }

    /** A finite number from an annotation ("0.93", " 97.5 "), else null: the value is informative, never required. */
    static Double number(JsonNode annotations, String name) {
        String text = text(annotations, name);
        if (text == null) {
            return null;
        }
        try {
            double value = Double.parseDouble(text.trim());
            return Double.isFinite(value) ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static OffsetDateTime startsAt(JsonNode alert) {
        try {
            String startsAt = text(alert, "startsAt");
            return startsAt == null ? OffsetDateTime.MAX : OffsetDateTime.parse(startsAt);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.MAX;
        }
    }

    /** One firing alert of the message, in the order Alertmanager listed it. */
    record Firing(int index, OffsetDateTime startsAt, MetricBreach breach) {

        static final Comparator<Firing> EARLIEST = Comparator.comparing(Firing::startsAt,
                        Comparator.comparing(OffsetDateTime::toInstant))
                .thenComparing(firing -> firing.breach().fingerprint(), Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparingInt(Firing::index);
    }
}
