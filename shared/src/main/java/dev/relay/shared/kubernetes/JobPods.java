package dev.relay.shared.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a Job's pod left behind, read with exactly two verbs: {@code list} on {@code pods} (the pod by the Job's
 * {@code job-name} label: pod names are generated) and {@code get} on {@code pods/log}. A Job object carries no
 * container output; its pod does (termination message, log) until the Job's TTL removes both.
 */
public final class JobPods {

    /** Bounds of a log tail put into an event: lines, and characters per line. */
    public static final int TAIL_LINES = 20;
    public static final int LINE_MAX = 300;

    private final KubernetesClient client;
    private final String function;

    /** @param function the function whose ServiceAccount reads (named in a 403) */
    public JobPods(KubernetesClient client, String function) {
        this.client = client;
        this.function = function;
    }

    /** The Job's newest pod (a succeeded one first among equals); empty when it has none (any more). */
    public Optional<Pod> newest(String namespace, String jobName) {
        List<Pod> pods;
        try {
            pods = client.pods().inNamespace(namespace).withLabel("job-name", jobName).list().getItems();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, function, "list", "pods", namespace);
        }
        return pods.stream().max(Comparator.comparing(
                (Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp())
                .thenComparing(p -> "Succeeded".equals(p.getStatus() == null ? null : p.getStatus().getPhase())));
    }

    /** The termination message container {@code container} of {@code pod} ended with, when it wrote one. */
    public static Optional<String> terminationMessage(Pod pod, String container) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
            if (container.equals(status.getName()) && status.getState() != null
                    && status.getState().getTerminated() != null) {
                String message = status.getState().getTerminated().getMessage();
                return message == null || message.isBlank() ? Optional.empty() : Optional.of(message.strip());
            }
        }
        return Optional.empty();
    }

    /** The whole log of {@code pod}; empty when the pod is gone. */
    public Optional<String> log(String namespace, String pod) {
        try {
            return Optional.ofNullable(client.pods().inNamespace(namespace).withName(pod).getLog());
        } catch (KubernetesClientException e) {
            if (KubernetesErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw KubernetesErrors.translate(e, function, "get", "pods/log", namespace);
        }
    }

    /** The last {@link #TAIL_LINES} lines of {@code log}, for an event: each bounded, control characters as {@code ?}. */
    public static List<String> tail(String log) {
        if (log == null || log.isBlank()) {
            return List.of();
        }
        String[] lines = log.strip().split("\r?\n");
        List<String> out = new ArrayList<>();
        for (int i = Math.max(0, lines.length - TAIL_LINES); i < lines.length; i++) {
            String line = lines[i].replaceAll("[\\p{Cntrl}&&[^\t]]", "?");
            out.add(line.length() <= LINE_MAX ? line : line.substring(0, LINE_MAX) + "…");
        }
        return out;
    }
}
