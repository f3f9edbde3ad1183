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
 * Gitea and Forgejo: {@code X-Gitea-Event} (Forgejo: {@code X-Forgejo-Event}), signed with
 * {@code X-Gitea-Signature} (Forgejo: {@code X-Forgejo-Signature}): the hex HMAC-SHA256 of the JSON payload, which is
 * the body, or for a form-encoded delivery ({@code payload=<url-encoded JSON>}) the decoded {@code payload} field.
 * Forgejo is this producer ({@code /webhooks/gitea}, {@code relay.ingress.providers.gitea}). Gitea also sends
 * {@code X-GitHub-Event}; on plain {@code /webhooks} this adapter is tried before {@link GitHubAdapter}. A tag push
 * arrives as a {@code push} with {@code refs/tags/...}; as on GitHub, {@code after} of an annotated tag is the tag
 * object and {@code head_commit.id} the commit ({@link GitPush#pushedCommit}).
 */
public final class GiteaAdapter implements WebhookAdapter {

    public static final String PRODUCER = "gitea";
    static final String EVENT = "X-Gitea-Event";
    static final String DELIVERY = "X-Gitea-Delivery";
    static final String SIGNATURE = "X-Gitea-Signature";
    static final String FORGEJO_EVENT = "X-Forgejo-Event";
    static final String FORGEJO_SIGNATURE = "X-Forgejo-Signature";

    @Override
    public String producer() {
        return PRODUCER;
    }

    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(PRODUCER::equals).orElseGet(() -> request.hasHeader(EVENT)
                || request.hasHeader(FORGEJO_EVENT));
    }

    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
        String header = request.hasHeader(SIGNATURE) || !request.hasHeader(FORGEJO_SIGNATURE) ? SIGNATURE
                : FORGEJO_SIGNATURE;
        secret.requireHmacSha256(header, request.header(header), "", request.formPayloadOrBody());
    }

    @Override
    public String eventName(WebhookRequest request) {
        return event(request);
    }

    private static String event(WebhookRequest request) {
        return request.hasHeader(EVENT) ? request.header(EVENT) : request.header(FORGEJO_EVENT);
    }

    @Override
    public String deliveryId(WebhookRequest request) {
        return request.header(DELIVERY);
    }

    @Override
    public AdapterResult adapt(WebhookRequest request) {
        String event = event(request);
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
                GitPush.pushedCommit(ref, after, text(json, "head_commit", "id")),
                text(json, "before"),
                firstOf(text(json, "pusher", "login"), text(json, "pusher", "username"),
                        text(json, "sender", "login")),
                JsonFields.commitTime(json, after)).toEvent());
    }
}
