package dev.relay.ingress.git;

import static dev.relay.ingress.git.JsonFields.firstOf;
import static dev.relay.ingress.git.JsonFields.text;

import dev.relay.ingress.AdapterResult;
import dev.relay.ingress.DeliveryIds;
import dev.relay.ingress.WebhookAdapter;
import dev.relay.ingress.WebhookRequest;
import dev.relay.ingress.WebhookSecret;
import dev.relay.shared.http.EventRejectedException;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * GitLab ({@code X-Gitlab-Event}, authenticated by {@code X-Gitlab-Token} equal to the secret): {@code Push Hook}
 * and {@code Tag Push Hook}, and the push / tag_push events of a {@code System Hook}, become
 * {@code dev.relay.git.pushed}; deletions and every other event are ignored. The commit is {@code checkout_sha}
 * (for an annotated tag, the commit rather than the tag object), else {@code after}.
 */
public final class GitLabAdapter implements WebhookAdapter {

    public static final String PRODUCER = "gitlab";
    static final String EVENT = "X-Gitlab-Event";
    static final String DELIVERY = "X-Gitlab-Event-UUID";
    static final String TOKEN = "X-Gitlab-Token";
    private static final Set<String> PUSH_HOOKS = Set.of("Push Hook", "Tag Push Hook", "System Hook");
    private static final Set<String> PUSH_KINDS = Set.of("push", "tag_push");

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
        secret.requireToken(TOKEN, request.header(TOKEN));
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
            throw EventRejectedException.badRequest("invalid-webhook", "Not a GitLab webhook",
                    "A GitLab webhook carries the " + EVENT + " header.");
        }
        if (!PUSH_HOOKS.contains(event.trim())) {
            return new AdapterResult.Ignore("gitlab event '" + DeliveryIds.printable(event) + "' is not forwarded");
        }
        JsonNode json = JsonFields.object(request, PRODUCER);
        String kind = firstOf(text(json, "object_kind"), text(json, "event_name"));
        if (kind == null || !PUSH_KINDS.contains(kind)) {
            return new AdapterResult.Ignore("gitlab system event '" + DeliveryIds.printable(kind) + "' is not forwarded");
        }
        String ref = text(json, "ref");
        String after = text(json, "after");
        if (GitPush.isNullObjectId(after)) {
            return new AdapterResult.Ignore("deleted " + DeliveryIds.printable(ref));
        }
        String eventId = DeliveryIds.eventId(PRODUCER, DELIVERY, request.header(DELIVERY), request.body());
        String commit = firstOf(text(json, "checkout_sha"), after);
        return AdapterResult.Forward.of(new GitPush(eventId, PRODUCER,
                firstOf(text(json, "project", "git_http_url"), text(json, "repository", "git_http_url")),
                ref,
                commit,
                text(json, "before"),
                firstOf(text(json, "user_username"), text(json, "user_name")),
                JsonFields.commitTime(json, commit)).toEvent());
    }
}
