package dev.relay.build;

import dev.relay.shared.http.EventRetryableException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes side of cluster builds, a thin gateway: create the Job or PipelineRun; {@code AlreadyExists} (409)
 * means a redelivery and is success (the existing object is read back); every other API failure becomes a problem
 * naming what is wrong: 403 names the missing RBAC verb and resource (500), 401 the credential (502), 404 the
 * missing namespace or CRD (500), a rejected object the API's message (500), 429/5xx/timeouts 503.
 */
public final class KubernetesBuilds {

    public static final ResourceDefinitionContext PIPELINE_RUNS = new ResourceDefinitionContext.Builder()
            .withGroup("tekton.dev").withVersion("v1").withKind("PipelineRun").withPlural("pipelineruns")
            .withNamespaced(true).build();

    /**
     * @param name    the object's name
     * @param already it existed before (nothing was created)
     * @param failure why the existing object's build failed, when it did
     */
    public record Submission(String name, boolean already, Optional<String> failure) {
    }

    private final KubernetesClient client;

    public KubernetesBuilds(KubernetesClient client) {
        this.client = client;
    }

    public Submission createJob(Job job) {
        String namespace = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        try {
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
            return new Submission(name, false, Optional.empty());
        } catch (KubernetesClientException e) {
            if (!isAlreadyExists(e)) {
                throw translate(e, "create", "jobs.batch", namespace);
            }
        }
        Job existing = get(() -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get(),
                "jobs.batch", namespace);
        return new Submission(name, true, existing == null ? Optional.empty() : jobFailure(existing));
    }

    public Submission createPipelineRun(GenericKubernetesResource run) {
        String namespace = run.getMetadata().getNamespace();
        String name = run.getMetadata().getName();
        try {
            client.genericKubernetesResources(PIPELINE_RUNS).inNamespace(namespace).resource(run).create();
            return new Submission(name, false, Optional.empty());
        } catch (KubernetesClientException e) {
            if (!isAlreadyExists(e)) {
                throw translate(e, "create", "pipelineruns.tekton.dev", namespace);
            }
        }
        GenericKubernetesResource existing = get(() -> client.genericKubernetesResources(PIPELINE_RUNS)
                .inNamespace(namespace).withName(name).get(), "pipelineruns.tekton.dev", namespace);
        return new Submission(name, true, existing == null ? Optional.empty() : pipelineRunFailure(existing));
    }

    private static <T extends HasMetadata> T get(java.util.function.Supplier<T> read, String resource,
            String namespace) {
        try {
            return read.get();
        } catch (KubernetesClientException e) {
            throw translate(e, "get", resource, namespace);
        }
    }

    static boolean isAlreadyExists(KubernetesClientException e) {
        return e.getCode() == 409
                || (e.getStatus() != null && "AlreadyExists".equals(e.getStatus().getReason()));
    }

    static Optional<String> jobFailure(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        for (JobCondition condition : job.getStatus().getConditions()) {
            if ("Failed".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                return Optional.of("Job " + job.getMetadata().getName() + " failed: "
                        + (condition.getReason() == null ? "" : condition.getReason())
                        + (condition.getMessage() == null ? "" : " (" + condition.getMessage() + ")"));
            }
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    static Optional<String> pipelineRunFailure(GenericKubernetesResource run) {
        Object status = run.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> statusMap) || !(statusMap.get("conditions") instanceof List<?> conditions)) {
            return Optional.empty();
        }
        for (Object c : conditions) {
            if (c instanceof Map<?, ?> condition && "Succeeded".equals(condition.get("type"))
                    && "False".equals(condition.get("status"))) {
                return Optional.of("PipelineRun " + run.getMetadata().getName() + " failed: " + condition.get("reason")
                        + (condition.get("message") == null ? "" : " (" + condition.get("message") + ")"));
            }
        }
        return Optional.empty();
    }

    static EventRetryableException translate(KubernetesClientException e, String verb, String resource,
            String namespace) {
        String apiMessage = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : String.valueOf(e.getMessage());
        int code = e.getCode();
        if (code == 403) {
            return new EventRetryableException(500, "kubernetes-forbidden",
                    "Relay may not " + verb + " " + resource,
                    "The ServiceAccount of on-push-build lacks RBAC verb '" + verb + "' on '" + resource
                            + "' in namespace '" + namespace + "' (grant create and get): " + apiMessage, null);
        }
        if (code == 401) {
            return new EventRetryableException(502, "kubernetes-unauthorized",
                    "The Kubernetes API rejected Relay's credential",
                    "Unauthorized to " + verb + " " + resource + " in namespace '" + namespace + "': " + apiMessage,
                    null);
        }
        if (code == 404) {
            String hint = resource.endsWith("tekton.dev")
                    ? "is Tekton Pipelines (tekton.dev/v1) installed, and does the namespace exist?"
                    : "does the namespace exist?";
            return new EventRetryableException(500, "kubernetes-not-found", "Cannot " + verb + " " + resource,
                    resource + " in namespace '" + namespace + "' not found: " + hint + " (" + apiMessage + ")", null);
        }
        if (code == 400 || code == 422) {
            return new EventRetryableException(500, "kubernetes-rejected-object",
                    "The Kubernetes API rejected the " + resource + " object",
                    "Cannot " + verb + " " + resource + " in namespace '" + namespace + "': " + apiMessage, null);
        }
        if (code == 429 || code >= 500 || code <= 0) {
            return EventRetryableException.unavailable("kubernetes-unavailable", "The Kubernetes API is unavailable",
                    "Cannot " + verb + " " + resource + " in namespace '" + namespace + "' now: "
                            + (code > 0 ? "HTTP " + code + " " : "") + rootMessage(e), null);
        }
        return new EventRetryableException(502, "kubernetes-error", "The Kubernetes API failed",
                "Cannot " + verb + " " + resource + " in namespace '" + namespace + "': HTTP " + code + " "
                        + apiMessage, null);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root == e ? e.getMessage() : e.getMessage() + " (" + root + ")";
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
