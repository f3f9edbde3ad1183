package dev.relay.shared.kubernetes;

import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * Knative's ApiServerSource events in {@code mode: Resource}: type {@code dev.knative.apiserver.resource.add},
 * {@code .update} or {@code .delete}, {@code subject} the object's path
 * ({@code /apis/batch/v1/namespaces/relay/jobs/build-web-app-4c3f5e2b9a8d}), extensions {@code kind}, {@code name} and
 * {@code namespace}, and the whole object as JSON data. An add comes when the object is created or when the source
 * (re)starts and lists what exists; an update with every change, including the status change that finishes a Job or
 * a PipelineRun.
 */
public final class ResourceEvents {

    public static final String ADD = "dev.knative.apiserver.resource.add";
    public static final String UPDATE = "dev.knative.apiserver.resource.update";
    public static final String DELETE = "dev.knative.apiserver.resource.delete";
    public static final Set<String> TYPES = Set.of(ADD, UPDATE, DELETE);

    /** The label Relay puts on the Jobs and PipelineRuns whose completion it needs; the ApiServerSource selects it. */
    public static final String COMPLETION_LABEL = "relay.dev/completion-events";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ResourceEvents() {
    }

    public static boolean isResourceEvent(String type) {
        return TYPES.contains(type);
    }

    /** The object an ApiServerSource event carries; 400 when its data is not a Kubernetes object. */
    public static GenericKubernetesResource object(CloudEvent event) {
        if (event.getData() == null) {
            throw EventRejectedException.badRequest("missing-data", "The event has no data",
                    "A " + event.getType() + " event carries the object as data (ApiServerSource mode: Resource).");
        }
        GenericKubernetesResource object;
        try {
            object = SERIALIZATION.unmarshal(new String(event.getData().toBytes(), StandardCharsets.UTF_8),
                    GenericKubernetesResource.class);
        } catch (RuntimeException e) {
            throw EventRejectedException.badRequest("malformed-data", "The event data is not a Kubernetes object",
                    "A " + event.getType() + " event carries the object as JSON data: " + e.getMessage());
        }
        if (object == null || object.getMetadata() == null || object.getMetadata().getName() == null
                || object.getKind() == null || object.getApiVersion() == null) {
            throw EventRejectedException.badRequest("malformed-data", "The event data is not a Kubernetes object",
                    "A " + event.getType() + " event carries an object with apiVersion, kind and metadata.name"
                            + " (ApiServerSource mode: Resource, not Reference).");
        }
        return object;
    }

    /** The object as a batch/v1 Job, when it is one. */
    public static Optional<Job> job(GenericKubernetesResource object) {
        if (!"Job".equals(object.getKind()) || !"batch/v1".equals(object.getApiVersion())) {
            return Optional.empty();
        }
        return Optional.of(SERIALIZATION.convertValue(object, Job.class));
    }

    /** Whether Relay created the object for a completion: managed by relay and carrying {@link #COMPLETION_LABEL}. */
    public static boolean isRelays(GenericKubernetesResource object) {
        var labels = object.getMetadata().getLabels();
        return labels != null && "relay".equals(labels.get("app.kubernetes.io/managed-by"))
                && "true".equals(labels.get(COMPLETION_LABEL));
    }
}
