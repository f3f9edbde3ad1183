package dev.relay.ingress.pending;

import dev.relay.ingress.WebhookRequest;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * How the producers that are not converted yet are recognised (EVENTS.md, Ingress). When one gets its adapter,
 * delete its entry here (the adapter is ordered first and takes over even before that).
 */
public final class PendingProducers {

    /** Harbor's default webhook payload types. */
    private static final Set<String> HARBOR_TYPES = Set.of("PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT",
            "SCANNING_COMPLETED", "SCANNING_FAILED", "SCANNING_STOPPED", "QUOTA_EXCEED", "QUOTA_WARNING",
            "REPLICATION", "TAG_RETENTION", "UPLOAD_CHART", "DOWNLOAD_CHART", "DELETE_CHART");
    private static final String DISTRIBUTION_MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json";

    private PendingProducers() {
    }

    /** Harbor: {@code {"type":"PUSH_ARTIFACT","event_data":{…}}}, or its CloudEvents format ({@code harbor.*} types). */
    public static PendingProducer harbor() {
        return new PendingProducer("harbor", "webhook-ingress/harbor", request -> {
            JsonNode json = request.json();
            String ceType = request.header("ce-type");
            return (ceType != null && ceType.startsWith("harbor."))
                    || (json.path("type").isString() && json.path("type").stringValue().startsWith("harbor."))
                    || (json.path("event_data").isObject() && json.path("type").isString()
                            && HARBOR_TYPES.contains(json.path("type").stringValue()));
        });
    }

    /** The CNCF distribution registry's notification envelope. */
    public static PendingProducer distribution() {
        return new PendingProducer("distribution", "webhook-ingress/distribution", request -> {
            JsonNode events = request.json().path("events");
            return request.mediaType().equals(DISTRIBUTION_MEDIA_TYPE) || (events.isArray() && !events.isEmpty()
                    && events.get(0).path("action").isString() && events.get(0).path("target").isObject());
        });
    }

    /** Argo CD Notifications: its webhook template is free-form; recognised by an {@code app}/{@code application} object. */
    public static PendingProducer argocd() {
        return new PendingProducer("argocd", "webhook-ingress/argocd", request -> {
            JsonNode json = request.json();
            for (String field : new String[] {"app", "application"}) {
                JsonNode status = json.path(field).path("status");
                if (status.path("sync").isObject() || status.path("operationState").isObject()) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Flux notification-controller's generic webhook: an event with {@code involvedObject} and {@code reason}. */
    public static PendingProducer flux() {
        return new PendingProducer("flux", "webhook-ingress/flux", request -> request.hasHeader("gotk-component")
                || (request.json().path("involvedObject").isObject() && request.json().path("reason").isString()));
    }

    /** Alertmanager's webhook_config message: {@code version "4"} and {@code alerts}. */
    public static PendingProducer alertmanager() {
        return new PendingProducer("alertmanager", "webhook-ingress/alertmanager", request -> {
            JsonNode json = request.json();
            return json.path("version").isString() && json.path("version").stringValue().equals("4")
                    && json.path("alerts").isArray();
        });
    }
}
