package dev.relay.build;

import dev.relay.shared.kubernetes.ResourceEvents;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Labels and annotations on every object a build creates. Label values obey Kubernetes' rules (at most 63
 * characters of {@code [A-Za-z0-9._-]}, alphanumeric at both ends): the app is a DNS-1123 label, the commit label is
 * the SHA-1 id or the first 40 hex of a SHA-256 id. Free text (trace, image, repository) goes into annotations.
 *
 * <p>The annotations are all a completion needs to continue the chain ({@link BuildCompletions}): the build's
 * completion event carries the object and nothing else, so image repository, tag, source commit and its time, the
 * trace and the originating event id are written here at creation. {@link ResourceEvents#COMPLETION_LABEL} makes the
 * ApiServerSource ({@code knative/job-events/}) send the object's changes to the broker.
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
    public static final String IMAGE_REPOSITORY = "relay.dev/image-repository";
    public static final String TAG = "relay.dev/tag";
    public static final String SOURCE_COMMIT = "relay.dev/source-commit";
    public static final String SOURCE_COMMIT_TIME = "relay.dev/source-commit-time";

    private BuildMetadata() {
    }

    public static Map<String, String> labels(BuildRequest request) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "relay");
        labels.put(APP, request.app());
        labels.put(COMMIT, request.commit().substring(0, Math.min(40, request.commit().length())));
        labels.put(ResourceEvents.COMPLETION_LABEL, "true");
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
        annotations.put(APP, request.app());
        annotations.put(IMAGE_REPOSITORY, request.image());
        annotations.put(TAG, request.tag());
        annotations.put(SOURCE_COMMIT, request.commit());
        if (request.push().commitTime() != null) {
            annotations.put(SOURCE_COMMIT_TIME, request.push().commitTime());
        }
        return annotations;
    }
}
