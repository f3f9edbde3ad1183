package dev.relay.build;

import dev.relay.shared.config.RelayProperties;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Tekton {@code tekton.dev/v1} PipelineRun of a {@link BuildRequest}, as a pure function: it runs the configured
 * Pipeline with the clone URL, the exact commit and the image reference as params, one workspace (an existing claim
 * or a fresh volumeClaimTemplate) and, when set, the ServiceAccount and the pipeline timeout.
 */
public final class PipelineRunFactory {

    public static final String API_VERSION = "tekton.dev/v1";
    public static final String KIND = "PipelineRun";

    private PipelineRunFactory() {
    }

    public static GenericKubernetesResource pipelineRun(BuildRequest request, String namespace) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(API_VERSION)
                .withKind(KIND)
                .withNewMetadata()
                    .withName(request.name())
                    .withNamespace(namespace)
                    .withLabels(BuildMetadata.labels(request))
                    .withAnnotations(BuildMetadata.annotations(request))
                .endMetadata()
                .addToAdditionalProperties("spec", spec(request))
                .build();
    }

    static Map<String, Object> spec(BuildRequest request) {
        RelayProperties.Tekton tekton = request.build().tekton();
        RelayProperties.TektonParams names = tekton.params();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("pipelineRef", Map.of("name", tekton.pipeline()));
        spec.put("params", List.of(
                param(names.gitUrl(), cloneUrl(request)),
                param(names.gitRevision(), request.commit()),
                param(names.image(), request.imageReference())));
        if (tekton.serviceAccount() != null && !tekton.serviceAccount().isBlank()) {
            spec.put("taskRunTemplate", Map.of("serviceAccountName", tekton.serviceAccount()));
        }
        spec.put("workspaces", List.of(workspace(tekton.workspace())));
        if (tekton.timeout() != null) {
            spec.put("timeouts", Map.of("pipeline", tekton.timeout().toSeconds() + "s"));
        }
        return spec;
    }

    /** The configured clone URL (it may carry the scheme a Pipeline's git-clone task needs), else the pushed one. */
    private static String cloneUrl(BuildRequest request) {
        String configured = request.pipeline().source().repository();
        return RepositoryUrl.parse(configured).map(RepositoryUrl::redacted).orElse(request.push().url().redacted());
    }

    private static Map<String, Object> param(String name, String value) {
        Map<String, Object> param = new LinkedHashMap<>();
        param.put("name", name);
        param.put("value", value);
        return param;
    }

    private static Map<String, Object> workspace(RelayProperties.Workspace workspace) {
        Map<String, Object> binding = new LinkedHashMap<>();
        binding.put("name", workspace.name());
        if (workspace.pvc() != null && !workspace.pvc().isBlank()) {
            binding.put("persistentVolumeClaim", Map.of("claimName", workspace.pvc()));
            return binding;
        }
        Map<String, Object> claimSpec = new LinkedHashMap<>();
        claimSpec.put("accessModes", List.of("ReadWriteOnce"));
        claimSpec.put("resources", Map.of("requests", Map.of("storage", workspace.size())));
        if (workspace.storageClass() != null && !workspace.storageClass().isBlank()) {
            claimSpec.put("storageClassName", workspace.storageClass());
        }
        binding.put("volumeClaimTemplate", Map.of("spec", claimSpec));
        return binding;
    }
}
