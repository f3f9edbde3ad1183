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
 * GitHub ({@code X-GitHub-Event}, signed with {@code X-Hub-Signature-256: sha256=<hex HMAC>}): {@code push} of a
 * branch or tag becomes {@code dev.relay.git.pushed}; {@code ping}, deletions and every other event are ignored.
 * Gitea and Gogs send {@code X-GitHub-Event} too; their own header wins.
 */
public final class GitHubAdapter implements WebhookAdapter {

    public static final String PRODUCER = "github";
    static final String EVENT = "X-GitHub-Event";
    static final String DELIVERY = "X-GitHub-Delivery";
    static final String SIGNATURE = "X-Hub-Signature-256";

    @Override
    public String producer() {
        return PRODUCER;
    }

    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(PRODUCER::equals).orElseGet(() -> request.hasHeader(EVENT)
                && !request.hasHeader(GiteaAdapter.EVENT) && !request.hasHeader("X-Gogs-Event"));
    }

    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
        secret.requireHmacSha256(SIGNATURE, request.header(SIGNATURE), "sha256=", request.body());
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
            throw EventRejectedException.badRequest("invalid-webhook", "Not a GitHub webhook",
                    "A GitHub webhook carries the " + EVENT + " header.");
        }
        switch (event.trim()) {
            case "ping":
                return new AdapterResult.Ignore("ping");
            case "push":
                return push(request);
            default:
                return new AdapterResult.Ignore("github event '" + DeliveryIds.printable(event) + "' is not forwarded");
        }
    }

    private static AdapterResult push(WebhookRequest request) {
        JsonNode json = JsonFields.object(request, PRODUCER);
        String ref = text(json, "ref");
        String after = text(json, "after");
        if (JsonFields.isTrue(json, "deleted") || GitPush.isNullObjectId(after)) {
            return new AdapterResult.Ignore("deleted " + DeliveryIds.printable(ref));
        }
        String eventId = DeliveryIds.eventId(PRODUCER, DELIVERY, request.header(DELIVERY), request.body());
        return AdapterResult.Forward.of(new GitPush(eventId, PRODUCER,
                text(json, "repository", "clone_url"),
                ref,
                after,
                text(json, "before"),
                firstOf(text(json, "pusher", "name"), text(json, "sender", "login")),
                JsonFields.commitTime(json, after)).toEvent());
    }
}
