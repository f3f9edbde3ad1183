package dev.relay.ingress.sync;

import static dev.relay.ingress.git.JsonFields.text;

import dev.relay.ingress.AdapterResult;
import dev.relay.ingress.DeliveryIds;
import dev.relay.ingress.IngressProperties;
import dev.relay.ingress.WebhookAdapter;
import dev.relay.ingress.WebhookRequest;
import dev.relay.ingress.WebhookSecret;
import dev.relay.ingress.git.JsonFields;
import dev.relay.shared.http.EventRejectedException;
import tools.jackson.databind.JsonNode;

/**
 * Argo CD Notifications' webhook service posting Relay's template {@code relay-sync-succeeded} (the body is whatever
 * the template renders, so Relay defines it: see the README, "Argo CD Notifications"):
 * {@code {"source":"argocd","event":"sync-succeeded","application":…,"namespace":…,"revision":…,"syncStatus":…,
 * "healthStatus":…,"relayApp":…,"relayEnvironment":…,"finishedAt":…}}. It becomes {@code dev.relay.sync.succeeded}
 * with provider {@code argocd}. Authenticated by {@code Authorization} ({@code Bearer <secret>} or the secret), the
 * header the service's {@code headers} send.
 *
 * <p>App and environment come from the Application's labels {@code relay.dev/app} / {@code relay.dev/environment}
 * (rendered into {@code relayApp} / {@code relayEnvironment}), else from {@code relay.ingress.argocd.applications}; with
 * neither, 422 naming both. Go templates render a missing label as {@code <no value>}: that counts as absent. The id
 * is derived from application, namespace, revision and {@code finishedAt}, so a redelivery is the same event.
 */
public final class ArgoCdAdapter implements WebhookAdapter {

    public static final String PRODUCER = "argocd";
    static final String AUTHORIZATION = "Authorization";
    static final String EVENT = "sync-succeeded";
    /** What Go's text/template prints for a missing map key. */
    static final String NO_VALUE = "<no value>";

    private final IngressProperties.ArgoCd settings;

    public ArgoCdAdapter(IngressProperties.ArgoCd settings) {
        this.settings = settings;
    }

    @Override
    public String producer() {
        return PRODUCER;
    }

    /** Relay's template says {@code "source":"argocd"}; a body with an Application's {@code status} also counts. */
    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(PRODUCER::equals).orElseGet(() -> {
            JsonNode json = request.json();
            if (PRODUCER.equals(text(json, "source")) && json.has("application")) {
                return true;
            }
            for (String field : new String[] {"app", "application"}) {
                JsonNode status = json.path(field).path("status");
                if (status.path("sync").isObject() || status.path("operationState").isObject()) {
                    return true;
                }
            }
            return false;
        });
    }

    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
        secret.requireAuthorization(AUTHORIZATION, request.header(AUTHORIZATION));
    }

    @Override
    public String eventName(WebhookRequest request) {
        return text(request.json(), "event");
    }

    @Override
    public String deliveryId(WebhookRequest request) {
        String application = value(request.json(), "application");
        String revision = value(request.json(), "revision");
        return application == null ? null : application + "@" + revision;
    }

    @Override
    public AdapterResult adapt(WebhookRequest request) {
        JsonNode json = JsonFields.object(request, PRODUCER);
        String event = value(json, "event");
        if (event != null && !event.equals(EVENT)) {
            return new AdapterResult.Ignore("argocd event '" + DeliveryIds.printable(event) + "' is not forwarded");
        }
        String application = value(json, "application");
        if (application == null) {
            throw EventRejectedException.badRequest("invalid-webhook-payload", "Not Relay's Argo CD template",
                    "An Argo CD notification for Relay is rendered by the template relay-sync-succeeded (see the "
                            + "webhook-ingress README) and names the Application in \"application\".");
        }
        String revision = value(json, "revision");
        if (revision == null) {
            throw SyncSucceeded.invalid("Application '" + DeliveryIds.printable(application) + "' reported no "
                    + "revision (.app.status.operationState.syncResult.revision); a multi-source Application "
                    + "reports syncResult.revisions, which Relay does not map.");
        }
        IngressProperties.Target configured = settings.applications().get(application);
        String app = firstOf(value(json, "relayApp"), configured == null ? null : configured.app());
        String environment = firstOf(value(json, "relayEnvironment"),
                configured == null ? null : configured.environment());
        if (app == null || environment == null) {
            String key = application.contains(".") ? "applications[" + application + "]" : "applications." + application;
            throw SyncSucceeded.unmapped("Argo CD Application '" + DeliveryIds.printable(application) + "' names no "
                    + (app == null ? "Relay app" : "Relay environment") + ": label it relay.dev/app and "
                    + "relay.dev/environment, or configure relay.ingress.argocd." + DeliveryIds.printable(key)
                    + ".app and .environment.");
        }
        String id = DeliveryIds.derived(PRODUCER, value(json, "namespace"), application, revision,
                value(json, "finishedAt"));
        return AdapterResult.Forward.of(new SyncSucceeded(id, app, environment, revision, PRODUCER,
                SyncSucceeded.commitOf(revision)).toEvent());
    }

    /** A rendered template field: trimmed, null when absent, empty or {@code <no value>}. */
    static String value(JsonNode json, String field) {
        String text = text(json, field);
        if (text == null) {
            return null;
        }
        String trimmed = text.trim();
        return trimmed.isEmpty() || trimmed.equals(NO_VALUE) ? null : trimmed;
    }

    private static String firstOf(String first, String second) {
        return first != null ? first : second;
    }
}
