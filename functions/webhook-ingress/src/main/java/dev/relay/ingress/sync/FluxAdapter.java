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
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Flux notification-controller's {@code generic} / {@code generic-hmac} provider: the body is the event
 * ({@code fluxcd/pkg apis/event/v1beta1 Event}: {@code involvedObject}, {@code severity}, {@code timestamp},
 * {@code message}, {@code reason}, {@code metadata}, {@code reportingController}, {@code reportingInstance}), sent
 * with a {@code Gotk-Component} header. An {@code info} event of a {@code Kustomization} or {@code HelmRelease} whose
 * reason is one of {@code relay.ingress.flux.reasons} (default {@code ReconciliationSucceeded}) becomes
 * {@code dev.relay.sync.succeeded} with provider {@code flux}; every other event is acknowledged and not forwarded.
 *
 * <p>The revision is {@code metadata.revision} (notification-controller strips the controller's group prefix; the
 * prefixed {@code <group>/revision} is read too), kept whole ({@code main@sha1:<sha>}, a chart version); {@code commit}
 * is the sha inside it, or, for a Kustomization fed from an OCI artifact ({@code revision} {@code <tag>@sha256:<digest>}),
 * the sha inside {@code metadata.originRevision} (the Git commit the artifact was built from). App and environment
 * come from the event metadata — {@code relay.dev/app} / {@code relay.dev/environment} (an Alert's
 * {@code eventMetadata}) or {@code relay-app} / {@code relay-environment} (the object's annotations
 * {@code event.toolkit.fluxcd.io/relay-app}, forwarded without the prefix) — else from
 * {@code relay.ingress.flux.objects[<namespace>/<Kind>/<name>]}; with neither the object is not Relay's: 200 with a
 * {@code skipped: …} reason naming both (Flux reports every reconcile, so a 4xx would be repeated forever), counted
 * as outcome {@code ignored}.
 *
 * <p>Authentication, when a secret is configured: {@code X-Signature: sha256=<hex HMAC of the body>}
 * ({@code generic-hmac}, the secret is the provider Secret's {@code token}) or, without that header,
 * {@code Authorization} ({@code generic} with {@code Authorization: Bearer <secret>} in the Secret's {@code headers}).
 * The id is derived from the object, the revision and the event's timestamp: the controller's retries are the same
 * event.
 */
public final class FluxAdapter implements WebhookAdapter {

    public static final String PRODUCER = "flux";
    static final String COMPONENT = "Gotk-Component";
    static final String SIGNATURE = "X-Signature";
    static final String AUTHORIZATION = "Authorization";
    static final Set<String> KINDS = Set.of("Kustomization", "HelmRelease");
    /** Start of the reason of a reconciliation acknowledged but not forwarded because it is not Relay's. */
    public static final String SKIPPED = "skipped: ";
    static final String[] APP_KEYS = {"relay.dev/app", "relay-app", "event.toolkit.fluxcd.io/relay-app"};
    static final String[] ENVIRONMENT_KEYS = {"relay.dev/environment", "relay-environment",
            "event.toolkit.fluxcd.io/relay-environment"};

    private final IngressProperties.Flux settings;

    public FluxAdapter(IngressProperties.Flux settings) {
        this.settings = settings;
    }

    @Override
    public String producer() {
        return PRODUCER;
    }

    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(PRODUCER::equals).orElseGet(() -> request.hasHeader(COMPONENT)
                || (request.json().path("involvedObject").isObject() && request.json().path("reason").isString()));
    }

    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
        if (request.hasHeader(SIGNATURE)) {
            secret.requireHmacSha256(SIGNATURE, request.header(SIGNATURE), "sha256=", request.body());
        } else if (request.hasHeader(AUTHORIZATION)) {
            secret.requireAuthorization(AUTHORIZATION, request.header(AUTHORIZATION));
        } else {
            throw new EventRejectedException(401, "webhook-unauthorized", "Webhook not authenticated",
                    "Neither X-Signature nor Authorization is present; flux must sign with a generic-hmac provider "
                            + "or send the configured secret in an Authorization header.");
        }
    }

    @Override
    public String eventName(WebhookRequest request) {
        return text(request.json(), "reason");
    }

    @Override
    public String deliveryId(WebhookRequest request) {
        JsonNode object = request.json().path("involvedObject");
        String name = text(object, "name");
        return name == null ? null : text(object, "namespace") + "/" + text(object, "kind") + "/" + name;
    }

    @Override
    public AdapterResult adapt(WebhookRequest request) {
        JsonNode json = JsonFields.object(request, PRODUCER);
        JsonNode object = json.path("involvedObject");
        String kind = text(object, "kind");
        String namespace = text(object, "namespace");
        String name = text(object, "name");
        String reason = text(json, "reason");
        if (kind == null || name == null || namespace == null || reason == null) {
            throw EventRejectedException.badRequest("invalid-webhook-payload", "Not a Flux event",
                    "A Flux event names involvedObject.kind, .namespace, .name and a reason.");
        }
        if (!KINDS.contains(kind)) {
            return new AdapterResult.Ignore("flux " + DeliveryIds.printable(kind) + " events are not forwarded");
        }
        String severity = text(json, "severity");
        if (!"info".equals(severity)) {
            return new AdapterResult.Ignore("flux " + DeliveryIds.printable(severity) + " events are not forwarded");
        }
        if (!settings.reasons().contains(reason)) {
            return new AdapterResult.Ignore("flux reason '" + DeliveryIds.printable(reason) + "' is not forwarded");
        }
        JsonNode metadata = json.path("metadata");
        String revision = firstOf(metadata, "revision", groupOf(text(object, "apiVersion")) + "/revision");
        if (revision == null) {
            throw SyncSucceeded.invalid("The " + kind + " event names no revision (metadata.revision).");
        }
        String key = namespace + "/" + kind + "/" + name;
        IngressProperties.Target configured = settings.objects().get(key);
        String app = firstNonNull(firstOf(metadata, APP_KEYS), configured == null ? null : configured.app());
        String environment = firstNonNull(firstOf(metadata, ENVIRONMENT_KEYS),
                configured == null ? null : configured.environment());
        if (app == null || environment == null) {
            return new AdapterResult.Ignore(SKIPPED + "flux " + DeliveryIds.printable(key) + " names no "
                    + (app == null ? "Relay app" : "Relay environment") + " (annotate it "
                    + "event.toolkit.fluxcd.io/relay-app and event.toolkit.fluxcd.io/relay-environment, or configure "
                    + "relay.ingress.flux.objects[" + DeliveryIds.printable(key) + "].app and .environment)");
        }
        String origin = firstOf(metadata, "originRevision", groupOf(text(object, "apiVersion")) + "/originRevision");
        String commit = origin == null ? SyncSucceeded.commitOf(revision) : SyncSucceeded.commitOf(origin);
        String id = DeliveryIds.derived(PRODUCER, key, revision, text(json, "timestamp"));
        return AdapterResult.Forward.of(new SyncSucceeded(id, app, environment, revision, PRODUCER, commit).toEvent());
    }

    /** {@code kustomize.toolkit.fluxcd.io/v1} → {@code kustomize.toolkit.fluxcd.io}; "" without a group. */
    static String groupOf(String apiVersion) {
        if (apiVersion == null || !apiVersion.contains("/")) {
            return "";
        }
        return apiVersion.substring(0, apiVersion.indexOf('/'));
    }

    private static String firstOf(JsonNode metadata, String... keys) {
        for (String key : keys) {
            String value = text(metadata, key);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    private static String firstNonNull(String first, String second) {
        return first != null ? first : second;
    }
}
