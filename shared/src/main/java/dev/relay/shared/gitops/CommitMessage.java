package dev.relay.shared.gitops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Subject, optional body and a git trailer block ({@code Key: value} lines after a blank line). */
public record CommitMessage(String subject, String body, LinkedHashMap<String, String> trailers) {

    public static final String EVENT_ID_TRAILER = "Relay-Event-Id";

    public CommitMessage {
        Objects.requireNonNull(subject, "subject");
        if (subject.isBlank() || subject.contains("\n") || subject.contains("\r")) {
            throw new IllegalArgumentException("subject must be one non-blank line");
        }
        trailers = trailers == null ? new LinkedHashMap<>() : new LinkedHashMap<>(trailers);
        for (Map.Entry<String, String> trailer : trailers.entrySet()) {
            if (!trailer.getKey().matches("[A-Za-z0-9][A-Za-z0-9-]*")) {
                throw new IllegalArgumentException("invalid trailer key: " + trailer.getKey());
            }
            if (trailer.getValue() == null || trailer.getValue().contains("\n") || trailer.getValue().contains("\r")) {
                throw new IllegalArgumentException("trailer " + trailer.getKey() + " must be one line");
            }
        }
    }

    /** A copy with one more trailer (replacing an existing one with the same key). */
    public CommitMessage withTrailer(String key, String value) {
        LinkedHashMap<String, String> copy = new LinkedHashMap<>(trailers);
        copy.put(key, value);
        return new CommitMessage(subject, body, copy);
    }

    @Override
    public LinkedHashMap<String, String> trailers() {
        return new LinkedHashMap<>(trailers);
    }

    public String render() {
        StringBuilder out = new StringBuilder(subject.strip()).append('\n');
        if (body != null && !body.isBlank()) {
            out.append('\n').append(body.strip()).append('\n');
        }
        if (!trailers.isEmpty()) {
            out.append('\n');
            trailers.forEach((key, value) -> out.append(key).append(": ").append(value.strip()).append('\n'));
        }
        return out.toString();
    }
}
