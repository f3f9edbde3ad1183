package dev.relay.build;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** Runs a {@link BuildRequest} on its pipeline's builder: a Kaniko Job, a Tekton PipelineRun, or the local builder. */
public final class BuildService {

    private final KubernetesAccess kubernetes;
    private final LocalBuilder local;

    public BuildService(KubernetesAccess kubernetes, LocalBuilder local) {
        this.kubernetes = kubernetes;
        this.local = local;
    }

    public BuildOutcome build(BuildRequest request) {
        if (request.push().url().isLocal() && request.build().builder() != RelayProperties.Builder.LOCAL) {
            throw EventRejectedException.unprocessable("local-repository", "A file:// repository needs the local builder",
                    "A cluster build cannot clone " + request.push().url().redacted() + "; set build.builder: local or"
                            + " push from a repository the cluster can reach.");
        }
        return switch (request.build().builder()) {
            case KANIKO -> {
                Job job = KanikoJobFactory.job(request, kubernetes.namespace(request.build().namespace()));
                yield started(request, new KubernetesBuilds(kubernetes.client()).createJob(job));
            }
            case TEKTON -> {
                GenericKubernetesResource run = PipelineRunFactory.pipelineRun(request,
                        kubernetes.namespace(request.build().namespace()));
                yield started(request, new KubernetesBuilds(kubernetes.client()).createPipelineRun(run));
            }
            case LOCAL -> local.build(request);
        };
    }

    private static BuildOutcome started(BuildRequest request, KubernetesBuilds.Submission submission) {
        return submission.failure()
                .<BuildOutcome>map(reason -> new BuildOutcome.Failed(request, submission.name(), reason))
                .orElseGet(() -> new BuildOutcome.Started(request, submission.name(), submission.already()));
    }
}
