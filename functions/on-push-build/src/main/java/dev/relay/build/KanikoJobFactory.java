package dev.relay.build;

import dev.relay.shared.config.RelayProperties;
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
 * The Kaniko build Job of a {@link BuildRequest}, as a pure function.
 *
 * <p>Kaniko clones the source itself from a git context pinned to the exact commit:
 * {@code git://<host/path>#<refs/heads/x | refs/tags/x>#<commit>} (Kaniko fetches the ref, then checks out the
 * commit; it clones over HTTPS unless {@code GIT_PULL_METHOD=http}). It pushes {@code <image>:<tag>}, caches layers
 * in {@code cache-repo} and writes the pushed digest to {@code /dev/termination-log}, so the digest is readable
 * later from the pod's {@code status.containerStatuses[].state.terminated.message}.
 *
 * <p>Security: Kaniko unpacks base images into its own root filesystem and therefore has to run as root (uid 0);
 * what can be tightened is: no ServiceAccount token, no privilege escalation, the runtime's seccomp profile, and
 * the registry credential mounted read-only.
 */
public final class KanikoJobFactory {

    public static final String CONTAINER = "kaniko";
    public static final String DOCKER_CONFIG_VOLUME = "docker-config";
    public static final String DOCKER_CONFIG_PATH = "/kaniko/.docker";
    public static final String DIGEST_FILE = "/dev/termination-log";

    private KanikoJobFactory() {
    }

    public static Job job(BuildRequest request, String namespace) {
        RelayProperties.Kaniko kaniko = request.build().kaniko();
        Map<String, String> labels = BuildMetadata.labels(request);
        JobBuilder job = new JobBuilder()
                .withNewMetadata()
                    .withName(request.name())
                    .withNamespace(namespace)
                    .withLabels(labels)
                    .withAnnotations(BuildMetadata.annotations(request))
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(kaniko.backoffLimit())
                    .withTtlSecondsAfterFinished(kaniko.ttlSecondsAfterFinished())
                    .withActiveDeadlineSeconds(kaniko.activeDeadlineSeconds())
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(labels)
                            .withAnnotations(Map.of(BuildMetadata.TRACE, request.trace()))
                        .endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withServiceAccountName(kaniko.serviceAccount())
                            .withAutomountServiceAccountToken(false)
                            .withNewSecurityContext()
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withContainers(container(request))
                            .withVolumes(volumes(kaniko))
                        .endSpec()
                    .endTemplate()
                .endSpec();
        return job.build();
    }

    static Container container(BuildRequest request) {
        RelayProperties.Kaniko kaniko = request.build().kaniko();
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(kaniko.image())
                .withArgs(args(request))
                .withEnv(env(request))
                .withVolumeMounts(volumeMounts(kaniko))
                .withResources(resources(kaniko.resources()))
                .withTerminationMessagePath(DIGEST_FILE)
                .withTerminationMessagePolicy("File")
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withRunAsUser(0L)
                .endSecurityContext()
                .build();
    }

    public static List<String> args(BuildRequest request) {
        RelayProperties.Kaniko kaniko = request.build().kaniko();
        List<String> args = new ArrayList<>();
        args.add("--context=" + gitContext(request));
        args.add("--dockerfile=" + kaniko.dockerfile());
        if (kaniko.contextSubPath() != null && !kaniko.contextSubPath().isBlank()) {
            args.add("--context-sub-path=" + kaniko.contextSubPath());
        }
        args.add("--destination=" + request.imageReference());
        args.add("--cache=true");
        args.add("--cache-repo=" + cacheRepo(request));
        args.add("--digest-file=" + DIGEST_FILE);
        return args;
    }

    /** {@code git://<host[:port]/path>#<full ref>#<commit>}: Kaniko fetches the ref and checks out the commit. */
    public static String gitContext(BuildRequest request) {
        Push push = request.push();
        return "git://" + push.url().hostAndPath() + "#" + push.ref().fullName() + "#" + push.commit();
    }

    static String cacheRepo(BuildRequest request) {
        String configured = request.build().kaniko().cacheRepo();
        return configured != null && !configured.isBlank() ? configured : request.image() + "/cache";
    }

    private static List<EnvVar> env(BuildRequest request) {
        List<EnvVar> env = new ArrayList<>();
        if (request.push().url().isPlainHttp()) {
            env.add(new EnvVarBuilder().withName("GIT_PULL_METHOD").withValue("http").build());
        }
        String tokenSecret = request.build().kaniko().gitTokenSecret();
        if (tokenSecret != null && !tokenSecret.isBlank()) {
            env.add(new EnvVarBuilder().withName("GIT_TOKEN").withNewValueFrom().withNewSecretKeyRef()
                    .withName(tokenSecret).withKey("token").endSecretKeyRef().endValueFrom().build());
        }
        return env;
    }

    private static List<VolumeMount> volumeMounts(RelayProperties.Kaniko kaniko) {
        if (kaniko.registrySecret() == null || kaniko.registrySecret().isBlank()) {
            return List.of();
        }
        return List.of(new VolumeMountBuilder().withName(DOCKER_CONFIG_VOLUME).withMountPath(DOCKER_CONFIG_PATH)
                .withReadOnly(true).build());
    }

    private static List<Volume> volumes(RelayProperties.Kaniko kaniko) {
        if (kaniko.registrySecret() == null || kaniko.registrySecret().isBlank()) {
            return List.of();
        }
        return List.of(new VolumeBuilder().withName(DOCKER_CONFIG_VOLUME).withNewSecret()
                .withSecretName(kaniko.registrySecret())
                .addNewItem().withKey(".dockerconfigjson").withPath("config.json").endItem()
                .endSecret().build());
    }

    static ResourceRequirements resources(RelayProperties.Resources resources) {
        ResourceRequirements requirements = new ResourceRequirements();
        if (resources == null) {
            return requirements;
        }
        Map<String, Quantity> requests = quantities(resources.requests());
        Map<String, Quantity> limits = quantities(resources.limits());
        if (!requests.isEmpty()) {
            requirements.setRequests(requests);
        }
        if (!limits.isEmpty()) {
            requirements.setLimits(limits);
        }
        return requirements;
    }

    private static Map<String, Quantity> quantities(RelayProperties.Quantities quantities) {
        Map<String, Quantity> map = new LinkedHashMap<>();
        if (quantities != null && quantities.cpu() != null) {
            map.put("cpu", new Quantity(quantities.cpu()));
        }
        if (quantities != null && quantities.memory() != null) {
            map.put("memory", new Quantity(quantities.memory()));
        }
        return map;
    }
}
