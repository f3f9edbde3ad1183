package dev.relay.scan;

import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.kubernetes.JobConditions;
import dev.relay.shared.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Kubernetes side of {@code trivy-job} scans, a thin gateway using exactly the verbs of on-image-scan's Role:
 * {@code create}/{@code get} on {@code jobs.batch} (create; 409 means a redelivery and is success; read the state),
 * {@code list} on {@code pods} (the Job's pod by its {@code job-name} label) and {@code get} on {@code pods/log} (the
 * report). Waiting is a bounded poll of {@code get}: no watch, so no {@code watch} or {@code list} on Jobs.
 */
public final class KubernetesScans {

    static final String FUNCTION = ImageScanFunction.NAME;
    static final Duration POLL = Duration.ofSeconds(1);

    /** Where a Job stands. */
    public sealed interface JobState permits JobState.Running, JobState.Succeeded, JobState.Failed, JobState.Missing {

        record Running() implements JobState {
        }

        record Succeeded() implements JobState {
        }

        record Failed(String reason) implements JobState {
        }

        /** The Job is gone (expired through its TTL, or deleted). */
        record Missing() implements JobState {
        }
    }

    /** Waits between two polls; tests may pass one that does not wait. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    /** @param already it existed before (a redelivery): nothing was created */
    public record Submission(String name, boolean already) {
    }

    private final KubernetesClient client;
    private final Pause pause;
    private final Supplier<Long> nanoTime;

    public KubernetesScans(KubernetesClient client, Pause pause) {
        this(client, pause, System::nanoTime);
    }

    KubernetesScans(KubernetesClient client, Pause pause, Supplier<Long> nanoTime) {
        this.client = client;
        this.pause = pause;
        this.nanoTime = nanoTime;
    }

    public Submission create(Job job) {
        String namespace = job.getMetadata().getNamespace();
        try {
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
            return new Submission(job.getMetadata().getName(), false);
        } catch (KubernetesClientException e) {
            if (KubernetesErrors.isAlreadyExists(e)) {
                return new Submission(job.getMetadata().getName(), true);
            }
            throw KubernetesErrors.translate(e, FUNCTION, "create", "jobs.batch", namespace);
        }
    }

    public JobState state(String namespace, String name) {
        Job job;
        try {
            job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, FUNCTION, "get", "jobs.batch", namespace);
        }
        if (job == null) {
            return new JobState.Missing();
        }
        Optional<String> failure = JobConditions.failure(job);
        if (failure.isPresent()) {
            return new JobState.Failed(failure.get());
        }
        return JobConditions.succeeded(job) ? new JobState.Succeeded() : new JobState.Running();
    }

    /** Polls the Job's state until it has finished or {@code wait} has passed (checks at least once). */
    public JobState await(String namespace, String name, Duration wait) {
        long deadline = nanoTime.get() + wait.toNanos();
        while (true) {
            JobState state = state(namespace, name);
            if (!(state instanceof JobState.Running)) {
                return state;
            }
            long remaining = deadline - nanoTime.get();
            if (remaining <= 0) {
                return state;
            }
            try {
                pause.pause(Duration.ofNanos(Math.min(remaining, POLL.toNanos())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw EventRetryableException.unavailable("interrupted", "Interrupted while waiting for the scan",
                        "on-image-scan is shutting down; the redelivery reads Job " + name + ".", e);
            }
        }
    }

    /** The log of the Job's newest pod; empty when it has no pod (any more). */
    public Optional<String> log(String namespace, String jobName) {
        List<Pod> pods;
        try {
            pods = client.pods().inNamespace(namespace).withLabel("job-name", jobName).list().getItems();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, FUNCTION, "list", "pods", namespace);
        }
        Optional<Pod> pod = pods.stream().max(Comparator.comparing(
                (Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp())
                .thenComparing(p -> "Succeeded".equals(p.getStatus() == null ? null : p.getStatus().getPhase())));
        if (pod.isEmpty()) {
            return Optional.empty();
        }
        String podName = pod.get().getMetadata().getName();
        try {
            return Optional.ofNullable(client.pods().inNamespace(namespace).withName(podName).getLog());
        } catch (KubernetesClientException e) {
            if (KubernetesErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw KubernetesErrors.translate(e, FUNCTION, "get", "pods/log", namespace);
        }
    }
}
