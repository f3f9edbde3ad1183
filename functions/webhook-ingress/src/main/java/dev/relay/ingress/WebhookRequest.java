package dev.relay.ingress;

import dev.relay.shared.events.EventPayloads;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * One raw webhook as it arrived.
 *
 * @param headers      first value of every header, names case-insensitive
 * @param body         the raw body: signatures are computed over exactly these bytes
 * @param producerHint the producer named in the path ({@code /webhooks/github}), or null
 * @param json         the body parsed as JSON (for a form-encoded body, its {@code payload} field), or a missing
 *                     node when it is not JSON
 */
public record WebhookRequest(Map<String, String> headers, byte[] body, String producerHint, JsonNode json) {

    public static final String FORM = "application/x-www-form-urlencoded";

    public static WebhookRequest of(Map<String, String> headers, byte[] body, String producerHint) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, value) -> {
            if (name != null && value != null) {
                h.putIfAbsent(name, value);
            }
        });
        return new WebhookRequest(Collections.unmodifiableMap(h), body, producerHint, parse(mediaType(h), body));
    }

    public String header(String name) {
        return headers.get(name);
    }

    public boolean hasHeader(String name) {
        String value = headers.get(name);
        return value != null && !value.isBlank();
    }

    public Optional<String> hint() {
        return Optional.ofNullable(producerHint);
    }

    /** The content type without parameters, lower-case; "" when absent. */
    public String mediaType() {
        return mediaType(headers);
    }

    private static String mediaType(Map<String, String> headers) {
        String contentType = headers.getOrDefault("content-type", "");
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /**
     * For a form-encoded body, the decoded {@code payload} field: the bytes Gitea and Forgejo sign (they sign the
     * JSON, not the form they send); for any other body, the body itself.
     */
    public byte[] formPayloadOrBody() {
        if (!mediaType().equals(FORM)) {
            return body;
        }
        String payload = formField(new String(body, StandardCharsets.US_ASCII));
        return payload == null ? new byte[0] : payload.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String mediaType, byte[] body) {
        try {
            if (mediaType.equals(FORM)) {
                String payload = formField(new String(body, StandardCharsets.US_ASCII));
                return payload == null ? MissingNode.getInstance() : EventPayloads.mapper().readTree(payload);
            }
            int first = 0;
            while (first < body.length && Character.isWhitespace(body[first])) {
                first++;
            }
            if (first == body.length || (body[first] != '{' && body[first] != '[')) {
                return MissingNode.getInstance();
            }
            return EventPayloads.mapper().readTree(body);
        } catch (JacksonException | IllegalArgumentException e) {
            return MissingNode.getInstance();
        }
    }

    /** GitHub and Gitea may send {@code payload=<url-encoded JSON>} instead of a JSON body; null when absent. */
    private static String formField(String form) {
        for (String pair : form.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals("payload")) {
                try {
                    return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
