package dev.relay.build;

import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.kubernetes.JobConditions;
import dev.relay.shared.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes side of cluster builds, a thin gateway: create the Job or PipelineRun; {@code AlreadyExists} (409)
 * means a redelivery and is success (the existing object is read back); every other API failure becomes a problem
 * naming what is wrong ({@link KubernetesErrors}: 403 names the missing RBAC verb and resource, 404 the missing
 * namespace or CRD, 429/5xx/timeouts 503).
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
        return KubernetesErrors.isAlreadyExists(e);
    }

    static Optional<String> jobFailure(Job job) {
        return JobConditions.failure(job);
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
        String hint = resource.endsWith("tekton.dev")
                ? "is Tekton Pipelines (tekton.dev/v1) installed, and does the namespace exist?"
                : "does the namespace exist?";
        return KubernetesErrors.translate(e, PushBuildFunction.NAME, verb, resource, namespace, hint);
    }
}
