package dev.relay.local.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.testing.ApiServerSourceEvents;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Triggers of {@code triggers/} route the ApiServerSource's events (Knative's Resource format) of build objects to
 * on-push-build and of scan Jobs to on-image-scan, and nothing else of them anywhere, with Knative's filter semantics.
 */
class CompletionRoutingTest {

    private final List<TriggerDefinition> triggers = new TriggerLoader().loadDirectory(Path.of("../../triggers"));

    @Test
    void shouldRouteBuildJobsAndPipelineRunsToOnPushBuildAndScanJobsToOnImageScan() {
        for (String type : List.of(ApiServerSourceEvents.ADD, ApiServerSourceEvents.UPDATE,
                ApiServerSourceEvents.DELETE)) {
            assertThat(receivers(ApiServerSourceEvents.of(type, job("build-web-app-4c3f5e2b9a8d"))))
                    .containsExactly("on-push-build-build-completed");
            assertThat(receivers(ApiServerSourceEvents.of(type, pipelineRun("build-web-app-4c3f5e2b9a8d-1a2b3"))))
                    .containsExactly("on-push-build-build-completed");
            assertThat(receivers(ApiServerSourceEvents.of(type, job("scan-web-app-4c3f5e2b9a8d"))))
                    .containsExactly("on-image-scan-scan-completed");
        }
        assertThat(receivers(ApiServerSourceEvents.update(job("nightly-backup")))).isEmpty();
        assertThat(receivers(ApiServerSourceEvents.update(pipelineRun("scan-web-app-4c3f5e2b9a8d")))).isEmpty();
    }

    private List<String> receivers(CloudEvent event) {
        return triggers.stream().filter(t -> t.filter().matches(event)).map(TriggerDefinition::name).toList();
    }

    private static Job job(String name) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace("relay").endMetadata().build();
    }

    private static HasMetadata pipelineRun(String name) {
        return new GenericKubernetesResourceBuilder().withApiVersion("tekton.dev/v1").withKind("PipelineRun")
                .withNewMetadata().withName(name).withNamespace("relay").endMetadata().build();
    }
}
