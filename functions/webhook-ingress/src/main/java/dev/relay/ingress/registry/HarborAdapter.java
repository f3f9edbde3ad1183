package dev.relay.ingress.registry;

import static dev.relay.ingress.git.JsonFields.text;

import dev.relay.ingress.AdapterResult;
import dev.relay.ingress.DeliveryIds;
import dev.relay.ingress.WebhookAdapter;
import dev.relay.ingress.WebhookRequest;
import dev.relay.ingress.WebhookSecret;
import dev.relay.ingress.git.JsonFields;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Harbor's webhooks in both payload formats: {@code Default} ({@code {"type":"PUSH_ARTIFACT","event_data":{…}}}) and
 * {@code CloudEvents} (Harbor 2.8+, posted in structured mode, {@code application/cloudevents+json}, type
 * {@code harbor.artifact.pushed}, {@code data} = the default format's {@code event_data}; binary mode is accepted
 * too). Authenticated by the {@code Authorization} header, which Harbor sends exactly as typed into the policy's
 * "Auth Header" field: configure it as the secret itself or as {@code Bearer <secret>}.
 *
 * <p>A push becomes one {@code dev.relay.image.pushed} per tagged resource: image = {@code resource_url} without tag
 * or digest (registry host + {@code repo_full_name}), registry = its host. A resource pushed by digest only (Harbor
 * then puts the digest into {@code tag}) is skipped. Ids: {@code harbor-<CloudEvent id>} or, for the default format
 * that carries no id, {@code harbor-sha256-<hex of the body>} (Harbor redelivers the same bytes); with several
 * resources, {@code -<index>} is appended. Scan reports ({@code SCANNING_COMPLETED}, {@code harbor.scan.completed})
 * are acknowledged and not forwarded: on-image-scan's {@code harbor} backend reads them. Every other event is
 * ignored.
 */
public final class HarborAdapter implements WebhookAdapter {

    public static final String PRODUCER = "harbor";
    static final String AUTHORIZATION = "Authorization";
    static final String CE_TYPE = "ce-type";
    static final String CE_ID = "ce-id";
    static final Set<String> PUSH = Set.of("PUSH_ARTIFACT", "harbor.artifact.pushed");
    static final Set<String> SCAN_COMPLETED = Set.of("SCANNING_COMPLETED", "harbor.scan.completed");
    static final String SCAN_REASON = "scan reports are read by on-image-scan's harbor backend";

    /** Harbor's default webhook payload types (its {@code event.Topic*} names). */
    private static final Set<String> DEFAULT_TYPES = Set.of("PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT",
            "SCANNING_COMPLETED", "SCANNING_FAILED", "SCANNING_STOPPED", "QUOTA_EXCEED", "QUOTA_WARNING",
            "REPLICATION", "TAG_RETENTION", "UPLOAD_CHART", "DOWNLOAD_CHART", "DELETE_CHART", "CREATE_TAG");

    @Override
    public String producer() {
        return PRODUCER;
    }

    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(PRODUCER::equals).orElseGet(() -> {
            String ceType = request.header(CE_TYPE);
            JsonNode json = request.json();
            String type = text(json, "type");
            return (ceType != null && ceType.startsWith("harbor."))
                    || (type != null && type.startsWith("harbor."))
                    || (type != null && json.path("event_data").isObject() && DEFAULT_TYPES.contains(type));
        });
    }

    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
        secret.requireAuthorization(AUTHORIZATION, request.header(AUTHORIZATION));
    }

    @Override
    public String eventName(WebhookRequest request) {
        return Envelope.of(request).type();
    }

    @Override
    public String deliveryId(WebhookRequest request) {
        return Envelope.of(request).id();
    }

    @Override
    public AdapterResult adapt(WebhookRequest request) {
        JsonFields.object(request, PRODUCER);
        Envelope envelope = Envelope.of(request);
        String type = envelope.type();
        if (type == null) {
            throw EventRejectedException.badRequest("invalid-webhook", "Not a Harbor webhook",
                    "A Harbor webhook names its event in \"type\" (or, as a binary CloudEvent, in ce-type).");
        }
        if (SCAN_COMPLETED.contains(type)) {
            return new AdapterResult.Ignore(SCAN_REASON);
        }
        if (!PUSH.contains(type)) {
            return new AdapterResult.Ignore("harbor event '" + DeliveryIds.printable(type)
                    + "' is not forwarded");
        }
        return push(request, envelope);
    }

    private static AdapterResult push(WebhookRequest request, Envelope envelope) {
        JsonNode resources = envelope.data().path("resources");
        if (!resources.isArray() || resources.isEmpty()) {
            throw EventRejectedException.badRequest("invalid-webhook-payload", "Incomplete image push webhook",
                    "A Harbor push names the pushed artifacts in resources[].");
        }
        String baseId = envelope.id() != null
                ? DeliveryIds.eventId(PRODUCER, "id", envelope.id(), request.body())
                : DeliveryIds.eventId(PRODUCER, null, null, request.body());
        String fullName = text(envelope.data(), "repository", "repo_full_name");
        List<CloudEvent> forward = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            JsonNode resource = resources.get(i);
            String tag = text(resource, "tag");
            if (tag == null || tag.startsWith("sha256:")) {
                continue;
            }
            String image = repositoryOf(text(resource, "resource_url"));
            String registry = image == null ? null : ImagePush.hostOf(image);
            if (fullName != null && registry != null && !image.equals(registry + "/" + fullName)) {
                throw ImagePush.invalid("resources[" + i + "].resource_url '" + DeliveryIds.printable(image)
                        + "' does not name repository '" + DeliveryIds.printable(fullName) + "'.");
            }
            String eventId = resources.size() == 1 ? baseId : baseId + "-" + i;
            forward.add(new ImagePush(eventId, image, tag, text(resource, "digest"), registry).toEvent());
        }
        if (forward.isEmpty()) {
            return new AdapterResult.Ignore("pushed by digest only: no tagged resource among " + resources.size());
        }
        return new AdapterResult.Forward(forward);
    }

    /** {@code host/ns/name:tag}, {@code host/ns/name@sha256:…} or both → {@code host/ns/name}; null stays null. */
    static String repositoryOf(String resourceUrl) {
        if (resourceUrl == null) {
            return null;
        }
        String name = resourceUrl;
        int at = name.indexOf('@');
        if (at >= 0) {
            name = name.substring(0, at);
        }
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            name = name.substring(0, colon);
        }
        return name;
    }

    /**
     * The Harbor event however it arrived: a binary-mode CloudEvent (ce-* headers, body = data), a structured one
     * (body with {@code specversion}, {@code data}) or the default format (body with {@code event_data}).
     */
    record Envelope(String type, String id, JsonNode data) {

        static Envelope of(WebhookRequest request) {
            JsonNode json = request.json();
            if (request.hasHeader(CE_TYPE)) {
                return new Envelope(request.header(CE_TYPE).trim(), request.header(CE_ID), json);
            }
            if (json.has("specversion")) {
                return new Envelope(text(json, "type"), text(json, "id"), json.path("data"));
            }
            return new Envelope(text(json, "type"), null, json.path("event_data"));
        }
    }
}
