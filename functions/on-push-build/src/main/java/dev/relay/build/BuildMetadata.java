package dev.relay.build;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Labels and annotations on every object a build creates. Label values obey Kubernetes' rules (at most 63
 * characters of {@code [A-Za-z0-9._-]}, alphanumeric at both ends): the app is a DNS-1123 label, the commit label is
 * the SHA-1 id or the first 40 hex of a SHA-256 id. Free text (trace, image, repository) goes into annotations.
 */
public final class BuildMetadata {

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String APP = "relay.dev/app";
    public static final String COMMIT = "relay.dev/commit";
    public static final String TRACE = "relay.dev/trace";
    public static final String EVENT_ID = "relay.dev/event-id";
    public static final String IMAGE = "relay.dev/image";
    public static final String REPOSITORY = "relay.dev/repository";
    public static final String REF = "relay.dev/ref";

    private BuildMetadata() {
    }

    public static Map<String, String> labels(BuildRequest request) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "relay");
        labels.put(APP, request.app());
        labels.put(COMMIT, request.commit().substring(0, Math.min(40, request.commit().length())));
        return labels;
    }

    public static Map<String, String> annotations(BuildRequest request) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(TRACE, request.trace());
        annotations.put(EVENT_ID, request.eventId());
        annotations.put(COMMIT, request.commit());
        annotations.put(IMAGE, request.imageReference());
        annotations.put(REPOSITORY, request.push().url().redacted());
        annotations.put(REF, request.push().ref().fullName());
        return annotations;
    }
}
