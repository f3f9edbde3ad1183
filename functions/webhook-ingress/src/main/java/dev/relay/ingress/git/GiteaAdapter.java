package dev.relay.ingress.git;

import static dev.relay.ingress.git.JsonFields.firstOf;
import static dev.relay.ingress.git.JsonFields.text;

import dev.relay.ingress.AdapterResult;
import dev.relay.ingress.DeliveryIds;
import dev.relay.ingress.WebhookAdapter;
import dev.relay.ingress.WebhookRequest;
import dev.relay.ingress.WebhookSecret;
import dev.relay.shared.http.EventRejectedException;
import tools.jackson.databind.JsonNode;

/**
 * Gitea (and Forgejo, which sends the Gitea headers too): {@code X-Gitea-Event}, signed with
 * {@code X-Gitea-Signature: <hex HMAC-SHA256 of the body>}. Gitea also sends {@code X-GitHub-Event} and
 * {@code X-Gogs-Event}; this adapter is ordered before {@link GitHubAdapter} and wins whenever
 * {@code X-Gitea-Event} is present. A tag push arrives as a {@code push} with {@code refs/tags/...}.
 */
public final class GiteaAdapter implements WebhookAdapter {

    public static final String PRODUCER = "gitea";
    static final String EVENT = "X-Gitea-Event";
    static final String DELIVERY = "X-Gitea-Delivery";
    static final String SIGNATURE = "X-Gitea-Signature";

    @Override
    public String producer() {
        return PRODUCER;
    }

    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(PRODUCER::equals).orElseGet(() -> request.hasHeader(EVENT));
    }

    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
        secret.requireHmacSha256(SIGNATURE, request.header(SIGNATURE), "", request.body());
    }

    @Override
    public String eventName(WebhookRequest request) {
        return request.header(EVENT);
    }

    @Override
    public String deliveryId(WebhookRequest request) {
        return request.header(DELIVERY);
    }

    @Override
    public AdapterResult adapt(WebhookRequest request) {
        String event = request.header(EVENT);
        if (event == null || event.isBlank()) {
            throw EventRejectedException.badRequest("invalid-webhook", "Not a Gitea webhook",
                    "A Gitea webhook carries the " + EVENT + " header.");
        }
        return switch (event.trim()) {
            case "push" -> push(request);
            case "ping" -> new AdapterResult.Ignore("ping");
            default -> new AdapterResult.Ignore("gitea event '" + DeliveryIds.printable(event) + "' is not forwarded");
        };
    }

    private static AdapterResult push(WebhookRequest request) {
        JsonNode json = JsonFields.object(request, PRODUCER);
        String ref = text(json, "ref");
        String after = text(json, "after");
        if (GitPush.isNullObjectId(after)) {
            return new AdapterResult.Ignore("deleted " + DeliveryIds.printable(ref));
        }
        String eventId = DeliveryIds.eventId(PRODUCER, DELIVERY, request.header(DELIVERY), request.body());
        return AdapterResult.Forward.of(new GitPush(eventId, PRODUCER,
                text(json, "repository", "clone_url"),
                ref,
                after,
                text(json, "before"),
                firstOf(text(json, "pusher", "login"), text(json, "pusher", "username"),
                        text(json, "sender", "login")),
                JsonFields.commitTime(json, after)).toEvent());
    }
}
