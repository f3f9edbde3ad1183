package dev.relay.verify;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** A config repository with a Kustomize overlay, the cluster objects of a rollout, and sync.succeeded events. */
final class VerifyFixtures {

    static final String APP = "web-app";
    static final String ENV = "development";
    static final String IMAGE = "registry.example.com/team/web-app";
    static final String TAG = "1.4.2";
    static final String DIGEST = "sha256:4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180716253443526170ff";
    static final String OLD_TAG = "1.4.1";
    static final String OLD_DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    static final String OVERLAY = "apps/web-app/overlays/development/kustomization.yaml";

    private VerifyFixtures() {
    }

    static String overlay(String tag, String digest) {
        return """
                # web-app in development: Relay bumps the image below.
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../base
                images:
                  - name: busybox
                    newTag: "1.36"
                  - name: %s
                    newTag: '%s' # quoted on purpose
                    digest: %s
                """.formatted(IMAGE, tag, digest);
    }

    static Map<String, String> repositoryFiles() {
        return Map.of(OVERLAY, overlay(TAG, DIGEST), "apps/web-app/base/kustomization.yaml", "resources: []\n");
    }

    /** The web-app pipeline on {@code repoUrl}, its development environment checked in {@code namespace}. */
    static Map<String, String> properties(String repoUrl, String cacheDir, String namespace) {
        Map<String, String> p = new LinkedHashMap<>();
        String prefix = "relay.pipelines." + APP + ".";
        p.put("relay.git.cache-dir", cacheDir);
        p.put(prefix + "image", IMAGE);
        p.put(prefix + "config-repo.url", repoUrl);
        p.put(prefix + "environments[0].name", ENV);
        p.put(prefix + "environments[0].path", OVERLAY);
        p.put(prefix + "environments[0].pin-digest", "true");
        p.put(prefix + "environments[0].verify.namespace", namespace);
        p.put(prefix + "environments[0].verify.deadline", "0s");
        p.put(prefix + "environments[1].name", "staging");
        p.put(prefix + "environments[1].path", "apps/web-app/overlays/staging/kustomization.yaml");
        return p;
    }

    static RelayProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bind("relay", RelayProperties.class)
                .orElseThrow(() -> new IllegalStateException("nothing bound"));
    }

    static CloudEvent syncSucceeded(String environment, String revision) {
        return CloudEventHttp.event(RelayEventTypes.SYNC_SUCCEEDED,
                        new Payloads.SyncSucceeded(APP, environment, revision, "argocd"))
                .withExtension(RelayExtensions.TRACE, "trace-" + revision.substring(0, Math.min(8, revision.length())))
                .withExtension(RelayExtensions.APP, APP)
                .build();
    }

    /** A Deployment whose rollout of generation 2 is complete with {@code replicas} replicas. */
    static DeploymentBuilder deployment(String namespace, int replicas) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(APP).withNamespace(namespace).withGeneration(2L).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app", APP).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", APP).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(IMAGE + "@" + DIGEST).endContainer()
                .endSpec().endTemplate().endSpec()
                .withNewStatus().withObservedGeneration(2L).withReplicas(replicas).withUpdatedReplicas(replicas)
                .withReadyReplicas(replicas).withAvailableReplicas(replicas)
                .addNewCondition().withType("Available").withStatus("True").withReason("MinimumReplicasAvailable")
                .endCondition()
                .addNewCondition().withType("Progressing").withStatus("True").withReason("NewReplicaSetAvailable")
                .endCondition()
                .endStatus();
    }

    /** A ready pod of the Deployment: a sidecar and container web running {@code image} with {@code imageId}. */
    static Pod pod(String namespace, String name, String image, String imageId) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app", APP).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("proxy").withImage("envoyproxy/envoy:v1.31.0").endContainer()
                .addNewContainer().withName("web").withImage(image).endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName("web").withImage(image).withImageID(imageId).withReady(true)
                .endContainerStatus()
                .endStatus()
                .build();
    }

    static Pod currentPod(String namespace, String name) {
        return pod(namespace, name, IMAGE + "@" + DIGEST, IMAGE + "@" + DIGEST);
    }

    static GenericKubernetesResource application(String namespace, String health, String sync, String revision) {
        return new GenericKubernetesResourceBuilder().withApiVersion("argoproj.io/v1alpha1").withKind("Application")
                .withNewMetadata().withName(APP + "-" + ENV).withNamespace(namespace).endMetadata()
                .addToAdditionalProperties("spec", Map.of("project", "default"))
                .addToAdditionalProperties("status", Map.of(
                        "health", Map.of("status", health),
                        "sync", Map.of("status", sync, "revision", revision)))
                .build();
    }
}
