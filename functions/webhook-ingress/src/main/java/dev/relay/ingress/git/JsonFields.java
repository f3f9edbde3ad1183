package dev.relay.ingress.git;

import dev.relay.ingress.WebhookRequest;
import dev.relay.shared.http.EventRejectedException;
import tools.jackson.databind.JsonNode;

/** Reading the few fields Relay needs out of a provider's JSON payload (Git and registry adapters). */
public final class JsonFields {

    private JsonFields() {
    }

    /** The JSON object of the request's body. @throws EventRejectedException 400 when it is not a JSON object */
    public static JsonNode object(WebhookRequest request, String producer) {
        JsonNode json = request.json();
        if (json == null || !json.isObject()) {
            throw EventRejectedException.badRequest("invalid-webhook-payload", "Not a JSON webhook",
                    "A " + producer + " webhook body must be a JSON object (application/json).");
        }
        return json;
    }

    /** The string at {@code path}, or null when absent, null, empty or not a string. */
    public static String text(JsonNode node, String... path) {
        JsonNode current = node;
        for (String name : path) {
            current = current.path(name);
        }
        return current.isString() && !current.stringValue().isEmpty() ? current.stringValue() : null;
    }

    /** The first non-null of {@code values}. */
    public static String firstOf(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /**
     * The time of {@code commit} as a push payload tells it: {@code head_commit.timestamp} (GitHub, Gitea) or the
     * {@code timestamp} of the {@code commits[]} entry with that id (GitLab, Gitea, GitHub); null when not told.
     */
    public static String commitTime(JsonNode push, String commit) {
        if (commit == null) {
            return null;
        }
        JsonNode head = push.path("head_commit");
        if (commit.equalsIgnoreCase(text(head, "id"))) {
            return text(head, "timestamp");
        }
        for (JsonNode entry : push.path("commits")) {
            if (commit.equalsIgnoreCase(text(entry, "id"))) {
                return text(entry, "timestamp");
            }
        }
        return null;
    }

    public static boolean isTrue(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isBoolean() && value.booleanValue();
    }
}
