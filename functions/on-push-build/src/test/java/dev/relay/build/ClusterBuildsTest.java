package dev.relay.build;

import static dev.relay.build.BuildFixtures.REPO;
import static dev.relay.build.BuildFixtures.SHA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kaniko Jobs and Tekton PipelineRuns against fabric8's mock API server in CRUD mode: create, redeliver, read back. */
@EnableKubernetesMockClient(crud = true)
class ClusterBuildsTest {

    private static final Path NO_FILE = Path.of("/nonexistent/relay");

    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void tektonIsInstalled() {
        server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("tekton.dev")
                .withVersion("v1").withKind("PipelineRun").withPlural("pipelineruns").withScope("Namespaced").build());
    }

    @Test
    void shouldCreateExactlyOneJobAndAnswerTheSameStartedOnRedelivery() {
        PushBuildFunction function = function("kaniko", "ns-kaniko");
        CloudEvent push = BuildFixtures.pushed(REPO, "refs/heads/main", SHA);

        CloudEvent first = function.apply(push);

        assertThat(first.getType()).isEqualTo(RelayEventTypes.BUILD_STARTED);
        assertThat(first.getSource()).hasToString("/relay/on-push-build");
        assertThat(first.getExtension("relayapp")).isEqualTo("web-app");
        assertThat(first.getExtension("relaytrace")).isEqualTo("trace-4c3f5e2b");
        Map<String, Object> data = data(first);
        assertThat(data).containsEntry("repository", REPO).containsEntry("commit", SHA)
                .containsEntry("image", "registry.example.com/team/web-app:4c3f5e2")
                .containsEntry("builder", "kaniko").containsEntry("job", "build-web-app-4c3f5e2b9a8d");
        List<Job> jobs = client.batch().v1().jobs().inNamespace("ns-kaniko").list().getItems();
        assertThat(jobs).singleElement().satisfies(job -> {
            assertThat(job.getMetadata().getName()).isEqualTo("build-web-app-4c3f5e2b9a8d");
            assertThat(job.getMetadata().getLabels()).containsEntry("relay.dev/commit", SHA)
                    .containsEntry("app.kubernetes.io/managed-by", "relay");
            assertThat(job.getMetadata().getAnnotations()).containsEntry("relay.dev/trace", "trace-4c3f5e2b");
            assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                    .contains("--context=git://git.example.com/team/web-app.git#refs/heads/main#" + SHA,
                            "--destination=registry.example.com/team/web-app:4c3f5e2");
        });

        CloudEvent again = function.apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA));

        assertThat(again.getType()).isEqualTo(RelayEventTypes.BUILD_STARTED);
        assertThat(data(again)).isEqualTo(data);
        assertThat(client.batch().v1().jobs().inNamespace("ns-kaniko").list().getItems()).hasSize(1);
    }

    @Test
    void shouldRejectAClusterBuildOfALocalRepositoryWithoutCreatingAnything() {
        Map<String, String> properties = new HashMap<>(BuildFixtures.pipeline("web-app", "file:///srv/git/web-app.git",
                "kaniko"));
        properties.put("relay.pipelines.web-app.build.namespace", "ns-local");
        PushBuildFunction function = new PushBuildFunction(BuildFixtures.bind(properties),
                new KubernetesAccess(() -> client, PushBuildFunction.WITHOUT_CLUSTER, Map.of(), NO_FILE, NO_FILE));

        assertThatThrownBy(() -> function.apply(BuildFixtures.pushed("file:///srv/git/web-app.git", "refs/heads/main",
                SHA))).isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.problemType()).isEqualTo("local-repository");
                });
        assertThat(client.batch().v1().jobs().inNamespace("ns-local").list().getItems()).isEmpty();
    }

    @Test
    void shouldSkipAPushToAnUnconfiguredBranchWithoutCreatingAnything() {
        CloudEvent answer = function("kaniko", "ns-skip").apply(BuildFixtures.pushed(REPO, "refs/heads/wip", SHA));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_SKIPPED);
        assertThat(data(answer)).containsEntry("commit", SHA).containsKey("reason");
        assertThat(client.batch().v1().jobs().inNamespace("ns-skip").list().getItems()).isEmpty();
    }

    @Test
    void shouldAnswerFailedWhenTheJobOfARedeliveredPushHasFailed() {
        client.batch().v1().jobs().inNamespace("ns-failed").resource(new JobBuilder()
                .withNewMetadata().withName("build-web-app-4c3f5e2b9a8d").endMetadata()
                .withNewStatus().addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                .endCondition().endStatus().build()).create();

        CloudEvent answer = function("kaniko", "ns-failed").apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_FAILED);
        assertThat(data(answer)).containsEntry("job", "build-web-app-4c3f5e2b9a8d");
        assertThat((String) data(answer).get("reason")).contains("BackoffLimitExceeded");
    }

    @Test
    void shouldCreateOnePipelineRunAndNoSecondOnRedelivery() {
        PushBuildFunction function = function("tekton", "ns-tekton");

        CloudEvent first = function.apply(BuildFixtures.pushed(REPO, "refs/tags/v1.2.0", SHA));
        CloudEvent again = function.apply(BuildFixtures.pushed(REPO, "refs/tags/v1.2.0", SHA));

        assertThat(first.getType()).isEqualTo(RelayEventTypes.BUILD_STARTED);
        assertThat(data(first)).containsEntry("builder", "tekton")
                .containsEntry("image", "registry.example.com/team/web-app:v1.2.0");
        assertThat(data(again)).isEqualTo(data(first));
        List<GenericKubernetesResource> runs = client.genericKubernetesResources(KubernetesBuilds.PIPELINE_RUNS)
                .inNamespace("ns-tekton").list().getItems();
        assertThat(runs).singleElement().satisfies(run -> {
            assertThat(run.getApiVersion()).isEqualTo("tekton.dev/v1");
            assertThat(run.getKind()).isEqualTo("PipelineRun");
            assertThat(run.getMetadata().getName()).isEqualTo(data(first).get("job"));
            assertThat(run.getMetadata().getLabels()).containsEntry("relay.dev/app", "web-app");
            Map<String, Object> spec = run.get("spec");
            assertThat(spec).containsEntry("pipelineRef", Map.of("name", "build-and-push"))
                    .containsEntry("taskRunTemplate", Map.of("serviceAccountName", "tekton-builder"));
            assertThat(spec.get("params")).isEqualTo(List.of(
                    Map.of("name", "git-url", "value", REPO),
                    Map.of("name", "git-revision", "value", SHA),
                    Map.of("name", "image", "value", "registry.example.com/team/web-app:v1.2.0")));
            assertThat(spec.get("workspaces")).isEqualTo(List.of(Map.of("name", "source", "volumeClaimTemplate",
                    Map.of("spec", Map.of("accessModes", List.of("ReadWriteOnce"),
                            "resources", Map.of("requests", Map.of("storage", "1Gi")))))));
        });
    }

    @Test
    void shouldAnswer503NamingWhatIsMissingWithoutAKubernetesApi() {
        KubernetesAccess none = new KubernetesAccess(() -> null, PushBuildFunction.WITHOUT_CLUSTER,
                Map.of(), NO_FILE, NO_FILE);
        PushBuildFunction function = new PushBuildFunction(properties("kaniko", null), none);

        assertThatThrownBy(() -> function.apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA)))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.detail()).isEqualTo("no Kubernetes API: set KUBERNETES_SERVICE_HOST or kubeconfig,"
                            + " or use build.builder: local");
                });
        assertThat(none.namespace(null)).isEqualTo("default");
    }

    @Test
    void shouldAnswer503WhenTheApiDoesNotAnswer() {
        try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).withConnectionTimeout(2000)
                .withRequestTimeout(2000).build()).build()) {
            PushBuildFunction function = new PushBuildFunction(properties("kaniko", "builds"),
                    new KubernetesAccess(() -> unreachable, PushBuildFunction.WITHOUT_CLUSTER,
                            Map.of(), NO_FILE, NO_FILE));

            assertThatThrownBy(() -> function.apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA)))
                    .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.problemType()).isEqualTo("kubernetes-unavailable");
                    });
        }
    }

    @Test
    void shouldNameTheMissingRbacVerbOn403() {
        KubernetesMockServer strict = new KubernetesMockServer(false);
        strict.init();
        try (KubernetesClient forbidden = strict.createClient()) {
            strict.expect().post().withPath("/apis/batch/v1/namespaces/builds/jobs")
                    .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                            .withMessage("jobs.batch is forbidden: User \"system:serviceaccount:relay:on-push-build\""
                                    + " cannot create resource \"jobs\" in API group \"batch\"").build())
                    .once();
            PushBuildFunction function = new PushBuildFunction(properties("kaniko", "builds"),
                    new KubernetesAccess(() -> forbidden, PushBuildFunction.WITHOUT_CLUSTER,
                            Map.of(), NO_FILE, NO_FILE));

            assertThatThrownBy(() -> function.apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA)))
                    .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                        assertThat(e.status()).isEqualTo(500);
                        assertThat(e.problemType()).isEqualTo("kubernetes-forbidden");
                        assertThat(e.detail()).contains("'create'").contains("'jobs.batch'").contains("'builds'");
                    });
        } finally {
            strict.destroy();
        }
    }

    private PushBuildFunction function(String builder, String namespace) {
        return new PushBuildFunction(properties(builder, namespace),
                new KubernetesAccess(() -> client, PushBuildFunction.WITHOUT_CLUSTER, Map.of(), NO_FILE, NO_FILE));
    }

    private static dev.relay.shared.config.RelayProperties properties(String builder, String namespace) {
        Map<String, String> properties = new HashMap<>(BuildFixtures.pipeline("web-app", REPO, builder));
        if (namespace != null) {
            properties.put("relay.pipelines.web-app.build.namespace", namespace);
        }
        properties.put("relay.pipelines.web-app.build.tekton.pipeline", "build-and-push");
        properties.put("relay.pipelines.web-app.build.tekton.service-account", "tekton-builder");
        return BuildFixtures.bind(properties);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(CloudEvent event) {
        return EventPayloads.mapper().readValue(event.getData().toBytes(), Map.class);
    }
}
