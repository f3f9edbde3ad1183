package dev.relay.ingress.pending;

import dev.relay.ingress.WebhookRequest;
import tools.jackson.databind.JsonNode;

/**
 * How the producers that are not converted yet are recognised (EVENTS.md, Ingress). When one gets its adapter,
 * delete its entry here (the adapter is ordered first and takes over even before that).
 */
public final class PendingProducers {

    private PendingProducers() {
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
