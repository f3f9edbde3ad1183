package dev.relay.build;

import static dev.relay.build.BuildFixtures.REPO;
import static dev.relay.build.BuildFixtures.SHA;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The PipelineRun against the documented tekton.dev/v1 shape. Field names as in the v1 {@code openAPIV3Schema} of
 * tektoncd/pipeline {@code config/300-crds/300-pipelinerun.yaml} (commit 014da9718a31ccffa6d5dd7678a0dbb7ec9d7161,
 * Apache-2.0): {@code spec.params[]} items require {@code name} and {@code value}; {@code spec.pipelineRef} has
 * {@code apiVersion, name, params, resolver}. The CRD itself is not kept here yet (see the module's report).
 */
class PipelineRunFactoryTest {

    private static final Set<String> V1_SPEC_FIELDS = Set.of("managedBy", "params", "pipelineRef", "pipelineSpec",
            "status", "taskRunSpecs", "taskRunTemplate", "timeouts", "workspaces");

    @Test
    void shouldReferenceThePipelineWithParamsAndAFreshWorkspace() {
        GenericKubernetesResource run = PipelineRunFactory.pipelineRun(request(Map.of()), "ci");

        assertThat(run.getApiVersion()).isEqualTo("tekton.dev/v1");
        assertThat(run.getKind()).isEqualTo("PipelineRun");
        assertThat(run.getMetadata().getNamespace()).isEqualTo("ci");
        Map<String, Object> spec = run.get("spec");
        assertThat(V1_SPEC_FIELDS).containsAll(spec.keySet());
        assertThat(spec.get("pipelineRef")).isEqualTo(Map.of("name", "build-and-push"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> params = (List<Map<String, Object>>) spec.get("params");
        assertThat(params).hasSize(3).allSatisfy(p -> assertThat(p).containsOnlyKeys("name", "value"));
        assertThat(spec).doesNotContainKeys("taskRunTemplate", "timeouts");
    }

    @Test
    void shouldUseConfiguredParamNamesClaimServiceAccountAndTimeout() {
        String t = "relay.pipelines.web-app.build.tekton.";
        Map<String, Object> spec = PipelineRunFactory.pipelineRun(request(Map.of(
                t + "params.git-url", "repo-url", t + "params.git-revision", "revision", t + "params.image", "IMAGE",
                t + "workspace.name", "shared", t + "workspace.pvc", "build-cache", t + "service-account", "builder",
                t + "timeout", "45m")), "ci").get("spec");

        assertThat(spec.get("params")).isEqualTo(List.of(
                Map.of("name", "repo-url", "value", REPO),
                Map.of("name", "revision", "value", SHA),
                Map.of("name", "IMAGE", "value", "registry.example.com/team/web-app:4c3f5e2")));
        assertThat(spec.get("workspaces")).isEqualTo(List.of(
                Map.of("name", "shared", "persistentVolumeClaim", Map.of("claimName", "build-cache"))));
        assertThat(spec.get("taskRunTemplate")).isEqualTo(Map.of("serviceAccountName", "builder"));
        assertThat(spec.get("timeouts")).isEqualTo(Map.of("pipeline", "2700s"));
    }

    private static BuildRequest request(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(BuildFixtures.pipeline("web-app", REPO, "tekton"));
        properties.put("relay.pipelines.web-app.build.tekton.pipeline", "build-and-push");
        properties.putAll(extra);
        Push push = new PushReader().read(BuildFixtures.pushed(REPO, "refs/heads/main", SHA));
        return ((BuildPlan.Build) new BuildPlanner(BuildFixtures.bind(properties)).plan(push, "e", "t", null)).request();
    }
}
