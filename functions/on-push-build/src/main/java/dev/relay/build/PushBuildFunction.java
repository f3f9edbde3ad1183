package dev.relay.build;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.kubernetes.ResourceEvents;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * {@code dev.relay.git.pushed} or a GitHubSource {@code dev.knative.source.github.push} → pick the pipeline whose
 * source repository and branch/tag rules match → start its build → {@code dev.relay.build.started} (Kaniko Job,
 * Tekton PipelineRun), {@code dev.relay.image.pushed} (local builder), {@code dev.relay.build.skipped} or
 * {@code dev.relay.build.failed}. A cluster build's completion comes back as an ApiServerSource event
 * ({@code dev.knative.apiserver.resource.*}) and answers {@code dev.relay.image.pushed} or
 * {@code dev.relay.build.failed} ({@link BuildCompletions}): no request waits for a build.
 */
@Component(PushBuildFunction.NAME)
public class PushBuildFunction implements Function<CloudEvent, CloudEvent>, DisposableBean {

    public static final String NAME = "on-push-build";

    /** What to configure instead of a cluster (the end of the 503 detail when there is no Kubernetes API). */
    public static final String WITHOUT_CLUSTER = "use build.builder: local";

    private static final Logger log = LoggerFactory.getLogger(PushBuildFunction.class);

    private final PushReader reader = new PushReader();
    private final BuildPlanner planner;
    private final KubernetesAccess kubernetes;
    private final BuildService builds;
    private final BuildCompletions completions;

    @Autowired
    public PushBuildFunction(RelayProperties properties, ObjectProvider<KubernetesClient> kubernetesClient) {
        this(properties, new KubernetesAccess(kubernetesClient::getIfAvailable, WITHOUT_CLUSTER));
    }

    PushBuildFunction(RelayProperties properties, KubernetesAccess kubernetes) {
        this.planner = new BuildPlanner(properties);
        this.kubernetes = kubernetes;
        this.builds = new BuildService(kubernetes, new LocalBuilder(properties.git().timeout()));
        this.completions = new BuildCompletions(kubernetes);
    }

    @Override
    public CloudEvent apply(CloudEvent event) {
        if (ResourceEvents.isResourceEvent(event.getType())) {
            return completions.answer(event);
        }
        if (!reader.accepts(event.getType())) {
            throw EventRejectedException.badRequest("unsupported-event-type", "Unsupported event type",
                    NAME + " handles " + RelayEventTypes.GIT_PUSHED + ", " + PushReader.GITHUB_SOURCE_PUSH
                            + " and dev.knative.apiserver.resource.*, not " + event.getType() + ".");
        }
        Push push = reader.read(event);
        BuildPlan plan = planner.plan(push, event.getId(), RelayExtensions.traceOf(event),
                RelayExtensions.read(event, RelayExtensions.APP).orElse(null));
        if (plan instanceof BuildPlan.Skip skip) {
            log.info("push of {} to {} at {} skipped: {}", push.url().redacted(), push.ref(), push.commit(),
                    skip.reason());
            return RelayAnswers.answer(event, RelayEventTypes.BUILD_SKIPPED, RelaySources.ON_PUSH_BUILD,
                    new Payloads.Build(push.repository(), push.commit(), skip.image(), null, null, skip.reason()),
                    skip.app(), null);
        }
        BuildRequest request = ((BuildPlan.Build) plan).request();
        return answer(event, builds.build(request));
    }

    private static CloudEvent answer(CloudEvent cause, BuildOutcome outcome) {
        BuildRequest request = outcome.request();
        String repository = request.push().repository();
        if (outcome instanceof BuildOutcome.Started started) {
            log.info("{} build {} of {} for {} {}", request.builderName(), started.job(), request.imageReference(),
                    request.app(), started.already() ? "already exists (redelivery)" : "created");
            return RelayAnswers.answer(cause, RelayEventTypes.BUILD_STARTED, RelaySources.ON_PUSH_BUILD,
                    new Payloads.Build(repository, request.commit(), request.imageReference(), request.builderName(),
                            started.job(), null),
                    request.app(), null);
        }
        if (outcome instanceof BuildOutcome.Pushed pushed) {
            return RelayAnswers.answer(cause, RelayEventTypes.IMAGE_PUSHED, RelaySources.ON_PUSH_BUILD,
                    new Payloads.ImagePushed(pushed.image(), request.tag(), pushed.digest(), pushed.registry(),
                            request.commit(), pushed.sourceCommitTime() == null ? null
                                    : DoraTrailers.format(pushed.sourceCommitTime())),
                    request.app(), null);
        }
        BuildOutcome.Failed failed = (BuildOutcome.Failed) outcome;
        log.warn("{} build of {} for {} failed: {}", request.builderName(), request.imageReference(), request.app(),
                failed.reason());
        return RelayAnswers.answer(cause, RelayEventTypes.BUILD_FAILED, RelaySources.ON_PUSH_BUILD,
                new Payloads.Build(repository, request.commit(), request.imageReference(), request.builderName(),
                        failed.job(), failed.reason()),
                request.app(), null);
    }

    @Override
    public void destroy() {
        kubernetes.close();
    }
}
