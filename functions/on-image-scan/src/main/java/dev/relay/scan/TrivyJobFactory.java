package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.kubernetes.ResourceEvents;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Trivy scan Job of a {@link ScanRequest}, as a pure function. Its annotations hold the whole request (app, image,
 * tag, digest, source commit and its time, trace, the image.pushed event's id) so that the Job's completion event,
 * which carries only the Job, can be answered ({@link ScanCompletions}); {@link ResourceEvents#COMPLETION_LABEL} makes
 * the ApiServerSource send the Job's changes to the broker.
 *
 * <p>One container {@code trivy} runs {@link TrivyArgs} against {@code <image>@<digest>} and prints the JSON report
 * on stdout, which on-image-scan reads back from the pod's log. {@code backoffLimit: 0} (a failed scan is reported,
 * not retried by the Job), {@code restartPolicy: Never}, {@code ttlSecondsAfterFinished} so finished Jobs expire.
 * Hardened: non-root (65532), read-only root filesystem with emptyDirs for Trivy's cache and temp files, no
 * privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no API token. The registry credential,
 * when configured, is a dockerconfigjson Secret mounted read-only as {@code /docker-config/config.json}
 * ({@code DOCKER_CONFIG}).
 */
public final class TrivyJobFactory {

    public static final String CONTAINER = "trivy";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String APP = "relay.dev/app";
    public static final String DIGEST = "relay.dev/digest";
    public static final String TRACE = "relay.dev/trace";
    public static final String EVENT_ID = "relay.dev/event-id";
    public static final String IMAGE = "relay.dev/image";
    public static final String IMAGE_REPOSITORY = "relay.dev/image-repository";
    public static final String TAG = "relay.dev/tag";
    public static final String SOURCE_COMMIT = "relay.dev/source-commit";
    public static final String SOURCE_COMMIT_TIME = "relay.dev/source-commit-time";
    public static final String DOCKER_CONFIG_VOLUME = "docker-config";
    public static final String DOCKER_CONFIG_PATH = "/docker-config";
    public static final String CACHE_PATH = "/var/cache/trivy";
    public static final String TMP_PATH = "/tmp";
    public static final long RUN_AS = 65532L;

    /** Label values are at most 63 characters: the digest label holds the first 63 hex of the digest. */
    static final int LABEL_MAX = 63;

    private TrivyJobFactory() {
    }

    public static Job job(ScanRequest request, String namespace) {
        RelayProperties.TrivyJob trivy = request.config().trivyJob();
        Map<String, String> labels = labels(request);
        return new JobBuilder()
                .withNewMetadata()
                    .withName(ScanJobNames.of(request.app(), request.digest()))
                    .withNamespace(namespace)
                    .withLabels(labels)
                    .withAnnotations(annotations(request))
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(0)
                    .withTtlSecondsAfterFinished(trivy.ttlSecondsAfterFinished())
                    .withActiveDeadlineSeconds(trivy.activeDeadlineSeconds())
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(labels)
                            .withAnnotations(Map.of(TRACE, request.trace()))
                        .endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withServiceAccountName(blankToNull(trivy.serviceAccount()))
                            .withAutomountServiceAccountToken(false)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(RUN_AS)
                                .withRunAsGroup(RUN_AS)
                                .withFsGroup(RUN_AS)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withContainers(container(request))
                            .withVolumes(volumes(trivy))
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    public static Map<String, String> labels(ScanRequest request) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "relay");
        labels.put(COMPONENT, "image-scan");
        labels.put(APP, request.app());
        String hex = ScanJobNames.hex(request.digest());
        labels.put(DIGEST, hex.substring(0, Math.min(LABEL_MAX, hex.length())));
        labels.put(ResourceEvents.COMPLETION_LABEL, "true");
        return labels;
    }

    static Map<String, String> annotations(ScanRequest request) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(TRACE, request.trace());
        annotations.put(EVENT_ID, request.eventId());
        annotations.put(IMAGE, request.reference());
        annotations.put(DIGEST, request.digest());
        annotations.put(APP, request.app());
        annotations.put(IMAGE_REPOSITORY, request.image());
        if (request.tag() != null) {
            annotations.put(TAG, request.tag());
        }
        if (request.sourceCommit() != null) {
            annotations.put(SOURCE_COMMIT, request.sourceCommit());
        }
        if (request.sourceCommitTime() != null) {
            annotations.put(SOURCE_COMMIT_TIME, request.sourceCommitTime());
        }
        return annotations;
    }

    static Container container(ScanRequest request) {
        RelayProperties.TrivyJob trivy = request.config().trivyJob();
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(trivy.image())
                .withArgs(TrivyArgs.of(request.reference(), trivy.server()))
                .withEnv(env(trivy))
                .withVolumeMounts(volumeMounts(trivy))
                .withResources(resources(trivy.resources()))
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewSecurityContext()
                    .withRunAsNonRoot(true)
                    .withRunAsUser(RUN_AS)
                    .withRunAsGroup(RUN_AS)
                    .withReadOnlyRootFilesystem(true)
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .build();
    }

    private static List<EnvVar> env(RelayProperties.TrivyJob trivy) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder().withName("TRIVY_CACHE_DIR").withValue(CACHE_PATH).build());
        env.add(new EnvVarBuilder().withName("HOME").withValue(TMP_PATH).build());
        if (hasSecret(trivy)) {
            env.add(new EnvVarBuilder().withName("DOCKER_CONFIG").withValue(DOCKER_CONFIG_PATH).build());
        }
        return env;
    }

    private static List<VolumeMount> volumeMounts(RelayProperties.TrivyJob trivy) {
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(new VolumeMountBuilder().withName("cache").withMountPath(CACHE_PATH).build());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath(TMP_PATH).build());
        if (hasSecret(trivy)) {
            mounts.add(new VolumeMountBuilder().withName(DOCKER_CONFIG_VOLUME).withMountPath(DOCKER_CONFIG_PATH)
                    .withReadOnly(true).build());
        }
        return mounts;
    }

    private static List<Volume> volumes(RelayProperties.TrivyJob trivy) {
        List<Volume> volumes = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("cache").withNewEmptyDir().withSizeLimit(new Quantity("2Gi"))
                .endEmptyDir().build());
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("4Gi"))
                .endEmptyDir().build());
        if (hasSecret(trivy)) {
            volumes.add(new VolumeBuilder().withName(DOCKER_CONFIG_VOLUME).withNewSecret()
                    .withSecretName(trivy.registrySecret())
                    .addNewItem().withKey(".dockerconfigjson").withPath("config.json").endItem()
                    .endSecret().build());
        }
        return volumes;
    }

    /** The configured resources; unset values default to requests 250m/512Mi, limits 1 CPU/2Gi. */
    static ResourceRequirements resources(RelayProperties.Resources resources) {
        RelayProperties.Quantities requests = resources == null ? null : resources.requests();
        RelayProperties.Quantities limits = resources == null ? null : resources.limits();
        ResourceRequirements requirements = new ResourceRequirements();
        requirements.setRequests(quantities(requests, "250m", "512Mi"));
        requirements.setLimits(quantities(limits, "1", "2Gi"));
        return requirements;
    }

    private static Map<String, Quantity> quantities(RelayProperties.Quantities quantities, String cpu, String memory) {
        Map<String, Quantity> map = new LinkedHashMap<>();
        map.put("cpu", new Quantity(quantities != null && quantities.cpu() != null ? quantities.cpu() : cpu));
        map.put("memory", new Quantity(quantities != null && quantities.memory() != null ? quantities.memory() : memory));
        return map;
    }

    private static boolean hasSecret(RelayProperties.TrivyJob trivy) {
        return trivy.registrySecret() != null && !trivy.registrySecret().isBlank();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
