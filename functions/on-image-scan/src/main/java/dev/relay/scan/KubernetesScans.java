package dev.relay.scan;

import dev.relay.shared.kubernetes.JobConditions;
import dev.relay.shared.kubernetes.JobPods;
import dev.relay.shared.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * The Kubernetes side of {@code trivy-job} scans, a thin gateway using exactly the verbs of on-image-scan's Role:
 * {@code create}/{@code get} on {@code jobs.batch} (create; 409 means a redelivery and is success, and the existing
 * Job is read back), {@code list} on {@code pods} (the Job's pod by its {@code job-name} label) and {@code get} on
 * {@code pods/log} (the report). Nothing waits: the Job's completion arrives as an ApiServerSource event.
 */
public final class KubernetesScans {

    static final String FUNCTION = ImageScanFunction.NAME;

    /** Where a Job stands. */
    public sealed interface JobState permits JobState.Running, JobState.Succeeded, JobState.Failed {

        record Running() implements JobState {
        }

        record Succeeded() implements JobState {
        }

        record Failed(String reason) implements JobState {
        }

        static JobState of(Job job) {
            Optional<String> failure = JobConditions.failure(job);
            if (failure.isPresent()) {
                return new Failed(failure.get());
            }
            return JobConditions.succeeded(job) ? new Succeeded() : new Running();
        }
    }

    /**
     * @param job the Job as created, or as it exists when it existed already (a redelivery: nothing was created)
     */
    public record Submission(Job job, boolean already) {
    }

    private final KubernetesClient client;

    public KubernetesScans(KubernetesClient client) {
        this.client = client;
    }

    public Submission create(Job job) {
        String namespace = job.getMetadata().getNamespace();
        try {
            return new Submission(client.batch().v1().jobs().inNamespace(namespace).resource(job).create(), false);
        } catch (KubernetesClientException e) {
            if (!KubernetesErrors.isAlreadyExists(e)) {
                throw KubernetesErrors.translate(e, FUNCTION, "create", "jobs.batch", namespace);
            }
        }
        Job existing;
        try {
            existing = client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, FUNCTION, "get", "jobs.batch", namespace);
        }
        return new Submission(existing == null ? job : existing, true);
    }

    /** The log of the Job's newest pod; empty when it has no pod (any more). */
    public Optional<String> log(String namespace, String jobName) {
        JobPods pods = new JobPods(client, FUNCTION);
        return pods.newest(namespace, jobName).flatMap(pod -> pods.log(namespace, pod.getMetadata().getName()));
    }
}
