package dev.relay.tests.support;

import dev.relay.shared.testing.ApiServerSourceEvents;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * What a kubelet and the Job controller do to a Job Relay created, on fabric8's mock API server (CRUD, plus
 * expectations for pod logs, which CRUD mode cannot serve): the Job's pod ends with an exit code, a container
 * termination message (Kaniko's {@code --digest-file=/dev/termination-log}) and a log (Trivy's report on stdout), and
 * the Job's status becomes {@code Complete} or {@code Failed}. {@link #completion} is the event Knative's
 * ApiServerSource then sends for the finished Job.
 */
public final class KubeletStandIn {

    private final KubernetesMockServer server;

    private KubeletStandIn(KubernetesMockServer server) {
        this.server = server;
    }

    /** A started mock API server answering expectations first, CRUD otherwise, and its kubelet stand-in. */
    public static KubeletStandIn start() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init();
        return new KubeletStandIn(server);
    }

    public KubernetesMockServer server() {
        return server;
    }

    /**
     * Ends the Job's one pod ({@code <job>-x7k2p}, container {@code container}) with {@code exitCode}, the termination
     * message and log given (either may be null), then marks the Job {@code Complete} (exit code 0) or {@code Failed}.
     *
     * @return the finished Job as the API now returns it
     */
    public Job finish(String namespace, String job, String container, int exitCode, String terminationMessage,
            String log) {
        String pod = job + "-x7k2p";
        try (KubernetesClient client = server.createClient()) {
            client.pods().inNamespace(namespace).resource(new PodBuilder()
                    .withNewMetadata().withName(pod).withNamespace(namespace).addToLabels("job-name", job)
                    .withCreationTimestamp("2026-11-29T19:16:00Z").endMetadata()
                    .withNewStatus().withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                    .addNewContainerStatus().withName(container).withNewState().withNewTerminated()
                    .withExitCode(exitCode).withMessage(terminationMessage).endTerminated().endState()
                    .endContainerStatus().endStatus().build()).create();
            if (log != null) {
                server.expect().get().withPath("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/log?pretty=false")
                        .andReturn(200, log).always();
            }
            Job current = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
            JobStatusBuilder status = new JobStatusBuilder();
            if (exitCode == 0) {
                status.withSucceeded(1).withCompletionTime("2026-11-29T19:20:00Z").addNewCondition()
                        .withType("Complete").withStatus("True").endCondition();
            } else {
                status.withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                        .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                        .withLastTransitionTime("2026-11-29T19:20:00Z").endCondition();
            }
            current.setStatus(status.build());
            return client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
        }
    }

    /** The ApiServerSource's {@code dev.knative.apiserver.resource.update} event for {@code job}. */
    public static CloudEvent completion(Job job) {
        return ApiServerSourceEvents.update(job);
    }

    public void stop() {
        server.destroy();
    }
}
