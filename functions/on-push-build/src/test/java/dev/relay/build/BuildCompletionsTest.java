package dev.relay.build;

import static dev.relay.build.BuildFixtures.OTHER_SHA;
import static dev.relay.build.BuildFixtures.REPO;
import static dev.relay.build.BuildFixtures.SHA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.testing.ApiServerSourceEvents;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.SharedFixtures;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster build's completion as Knative's ApiServerSource reports it (the Job or PipelineRun as event data),
 * against fabric8's mock API server in CRUD mode with a kubelet stand-in that finishes the pod as Kaniko does (its
 * digest as the container's termination message) and serves the pod's log.
 */
@EnableKubernetesMockClient(crud = true)
class BuildCompletionsTest {

    private static final Path NO_FILE = Path.of("/nonexistent/relay");
    private static final String JOB = "build-web-app-4c3f5e2b9a8d";
    private static final String DIGEST = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final String COMMITTED = "2026-11-29T20:15:30+01:00";

    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void tektonIsInstalled() {
        server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("tekton.dev")
                .withVersion("v1").withKind("PipelineRun").withPlural("pipelineruns").withScope("Namespaced").build());
    }

    @Test
    void shouldAnswerImagePushedWithTheDigestKanikoLeftAsTerminationMessageAndTheCommitTime() {
        PushBuildFunction function = function("kaniko", "ns-pushed");
        CloudEvent started = function.apply(pushWithCommitTime());
        assertThat(started.getType()).isEqualTo(RelayEventTypes.BUILD_STARTED);
        Job job = job("ns-pushed");
        assertThat(job.getMetadata().getLabels()).containsEntry("relay.dev/completion-events", "true");
        assertThat(job.getMetadata().getAnnotations()).containsEntry("relay.dev/source-commit", SHA)
                .containsEntry("relay.dev/source-commit-time", "2026-11-29T19:15:30Z")
                .containsEntry("relay.dev/image-repository", BuildFixtures.IMAGE)
                .containsEntry("relay.dev/tag", "4c3f5e2");

        assertThat(function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.ADD, job)))
                .as("the Job just created, still running: nothing to answer").isNull();

        kubeletFinishes("ns-pushed", 0, DIGEST + "\n", null);
        Job finished = complete("ns-pushed");
        CloudEvent answer = function.apply(ApiServerSourceEvents.update(finished));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.IMAGE_PUSHED);
        assertThat(answer.getSource()).hasToString("/relay/on-push-build");
        assertThat(answer.getExtension(RelayExtensions.TRACE)).isEqualTo("trace-4c3f5e2b");
        assertThat(answer.getExtension(RelayExtensions.APP)).isEqualTo("web-app");
        assertThat(answer.getTime()).isNotNull();
        assertThat(data(answer)).containsEntry("image", BuildFixtures.IMAGE).containsEntry("tag", "4c3f5e2")
                .containsEntry("digest", DIGEST).containsEntry("registry", "registry.example.com")
                .containsEntry("sourceCommit", SHA).containsEntry("sourceCommitTime", "2026-11-29T19:15:30Z");

        CloudEvent redelivered = function.apply(ApiServerSourceEvents.update(finished));
        CloudEvent relisted = function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.ADD, finished));
        for (CloudEvent again : List.of(redelivered, relisted)) {
            assertThat(again.getId()).isEqualTo(answer.getId());
            assertThat(again.getTime()).isEqualTo(answer.getTime());
            assertThat(data(again)).isEqualTo(data(answer));
        }
        assertThat(client.batch().v1().jobs().inNamespace("ns-pushed").list().getItems()).hasSize(1);
        assertThat(function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.DELETE, finished)))
                .as("the finished Job expiring through its TTL").isNull();
    }

    @Test
    void shouldAnswerBuildFailedWithTheReasonAndTheLastLogLinesEscapedAndBounded() {
        PushBuildFunction function = function("kaniko", "ns-failed");
        function.apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA));
        List<String> log = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            log.add("INFO[000" + i + "] step " + i);
        }
        log.add("error building image: error building stage: failed to execute command: RUN make: exit status 2"
                + "\u001b[31m");
        log.add("x".repeat(1000));
        kubeletFinishes("ns-failed", 1, null, String.join("\n", log) + "\n");
        Job job = job("ns-failed");
        job.setStatus(new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                .withLastTransitionTime("2026-11-29T19:20:00Z").endCondition().build());
        Job failed = client.batch().v1().jobs().inNamespace("ns-failed").resource(job).updateStatus();

        CloudEvent answer = function.apply(ApiServerSourceEvents.update(failed));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_FAILED);
        assertThat(answer.getExtension(RelayExtensions.TRACE)).isEqualTo("trace-4c3f5e2b");
        Map<String, Object> data = data(answer);
        assertThat(data).containsEntry("job", JOB).containsEntry("builder", "kaniko").containsEntry("commit", SHA)
                .containsEntry("image", BuildFixtures.IMAGE + ":4c3f5e2").containsEntry("repository", REPO);
        assertThat((String) data.get("reason")).contains("BackoffLimitExceeded");
        @SuppressWarnings("unchecked")
        List<String> tail = (List<String>) data.get("logTail");
        assertThat(tail).hasSize(20).startsWith("INFO[00013] step 13");
        assertThat(tail.get(18)).startsWith("error building image").contains("exit status 2").endsWith("?[31m");
        assertThat(tail.get(19)).hasSize(301).endsWith("…");
        assertThat(function.apply(ApiServerSourceEvents.update(failed)).getId()).isEqualTo(answer.getId());
    }

    @Test
    void shouldAnswerBuildFailedWhenTheSucceededPodLeftNoDigest() {
        PushBuildFunction function = function("kaniko", "ns-nodigest");
        function.apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA));
        kubeletFinishes("ns-nodigest", 0, "not a digest", null);

        CloudEvent answer = function.apply(ApiServerSourceEvents.update(complete("ns-nodigest")));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_FAILED);
        assertThat((String) data(answer).get("reason")).contains("digest is unknown")
                .contains("--digest-file=/dev/termination-log");
    }

    @Test
    void shouldAnswerBuildFailedWhenARunningBuildIsDeleted() {
        PushBuildFunction function = function("kaniko", "ns-deleted");
        function.apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA));

        CloudEvent answer = function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.DELETE, job("ns-deleted")));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_FAILED);
        assertThat((String) data(answer).get("reason")).isEqualTo("Job " + JOB + " was deleted before it finished");
    }

    @Test
    void shouldAnswerImagePushedWithThePipelineRunsImageDigestResult() throws Exception {
        Map<String, Object> realStatus = tektonFixtureStatus();
        PushBuildFunction function = function("tekton", "ns-tekton");
        function.apply(BuildFixtures.pushed(REPO, "refs/tags/v1.2.0", SHA));
        GenericKubernetesResource run = pipelineRun("ns-tekton");
        assertThat(function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.ADD, run))).isNull();

        // The real PipelineRun's status, its IMAGE_URL result naming the image this build was given.
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) realStatus.get("results");
        results.stream().filter(r -> "IMAGE_URL".equals(r.get("name")))
                .forEach(r -> r.put("value", BuildFixtures.IMAGE + ":v1.2.0"));
        run.setAdditionalProperty("status", realStatus);
        CloudEvent answer = function.apply(ApiServerSourceEvents.update(run));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.IMAGE_PUSHED);
        assertThat(answer.getExtension(RelayExtensions.TRACE)).isEqualTo("trace-4c3f5e2b");
        assertThat(data(answer)).containsEntry("image", BuildFixtures.IMAGE).containsEntry("tag", "v1.2.0")
                .containsEntry("digest", "sha256:827521c857fdcd4374f4da5442fbae2edb01e7fbae285c3ec15673d4c1daecb7")
                .containsEntry("sourceCommit", SHA).doesNotContainKey("sourceCommitTime");
        assertThat(function.apply(ApiServerSourceEvents.update(run)).getId()).isEqualTo(answer.getId());
    }

    @Test
    void shouldAnswerBuildFailedWhenThePipelineRunPushedAnotherImage() throws Exception {
        PushBuildFunction function = function("tekton", "ns-tekton-other");
        function.apply(BuildFixtures.pushed(REPO, "refs/tags/v1.2.0", SHA));
        GenericKubernetesResource run = pipelineRun("ns-tekton-other");
        run.setAdditionalProperty("status", tektonFixtureStatus());

        CloudEvent answer = function.apply(ApiServerSourceEvents.update(run));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_FAILED);
        assertThat((String) data(answer).get("reason")).contains("pushed test.io/test/image, not "
                + BuildFixtures.IMAGE);
    }

    @Test
    void shouldAnswerBuildFailedWithTheConditionOfAFailedPipelineRun() {
        PushBuildFunction function = function("tekton", "ns-tekton-failed");
        function.apply(BuildFixtures.pushed(REPO, "refs/tags/v1.2.0", SHA));
        GenericKubernetesResource run = pipelineRun("ns-tekton-failed");
        run.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Succeeded", "status",
                "False", "reason", "Failed", "message", "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0"))));

        CloudEvent answer = function.apply(ApiServerSourceEvents.update(run));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_FAILED);
        assertThat((String) data(answer).get("reason")).contains("Failed").contains("(Failed: 1");
        assertThat(data(answer)).containsEntry("builder", "tekton");
    }

    @Test
    void shouldSkipObjectsThatAreNotRelayBuilds() {
        PushBuildFunction function = function("kaniko", "ns-other");
        Job foreign = client.batch().v1().jobs().inNamespace("ns-other").resource(new JobBuilder()
                .withNewMetadata().withName("build-nightly").withNamespace("ns-other").endMetadata()
                .withNewStatus().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True")
                .endCondition().endStatus().build()).create();
        Job scan = new JobBuilder(foreign).editMetadata().withName("scan-web-app-4c3f5e2b9a8d")
                .addToLabels("app.kubernetes.io/managed-by", "relay").addToLabels("relay.dev/completion-events", "true")
                .endMetadata().build();

        assertThat(function.apply(ApiServerSourceEvents.update(foreign))).isNull();
        assertThat(function.apply(ApiServerSourceEvents.update(scan))).isNull();
    }

    @Test
    void shouldRefuseABuildObjectWhoseAnnotationsWereTamperedWith() {
        PushBuildFunction function = function("kaniko", "ns-tampered");
        function.apply(BuildFixtures.pushed(REPO, "refs/heads/main", SHA));
        kubeletFinishes("ns-tampered", 0, DIGEST, null);
        Job job = complete("ns-tampered");
        job.getMetadata().getAnnotations().put("relay.dev/image-repository", "evil.example.com/x y");

        assertThatThrownBy(() -> function.apply(ApiServerSourceEvents.update(job)))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.problemType()).isEqualTo("invalid-build-object");
                });
    }

    private static CloudEvent pushWithCommitTime() {
        return CloudEventHttp.event(RelayEventTypes.GIT_PUSHED, new Payloads.GitPushed(REPO, "refs/heads/main", SHA,
                        OTHER_SHA, "octocat", "github", COMMITTED))
                .withExtension(RelayExtensions.TRACE, "trace-4c3f5e2b").build();
    }

    /** The kubelet stand-in: the Job's pod, terminated with {@code exitCode}, its termination message and log. */
    private void kubeletFinishes(String namespace, int exitCode, String terminationMessage, String log) {
        String pod = JOB + "-x7k2p";
        client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(pod).addToLabels("job-name", JOB)
                .withCreationTimestamp("2026-11-29T19:16:00Z").endMetadata()
                .withNewStatus().withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .addNewContainerStatus().withName("kaniko").withNewState().withNewTerminated().withExitCode(exitCode)
                .withMessage(terminationMessage).endTerminated().endState().endContainerStatus()
                .endStatus().build()).create();
        if (log != null) {
            server.expect().get().withPath("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/log?pretty=false")
                    .andReturn(200, log).always();
        }
    }

    private Job job(String namespace) {
        return client.batch().v1().jobs().inNamespace(namespace).withName(JOB).get();
    }

    private Job complete(String namespace) {
        Job job = job(namespace);
        job.setStatus(new JobStatusBuilder().withSucceeded(1).withCompletionTime("2026-11-29T19:18:00Z")
                .addNewCondition().withType("Complete").withStatus("True").endCondition().build());
        return client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
    }

    private GenericKubernetesResource pipelineRun(String namespace) {
        return client.genericKubernetesResources(KubernetesBuilds.PIPELINE_RUNS).inNamespace(namespace).list()
                .getItems().get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tektonFixtureStatus() {
        Map<String, Object> run = EventPayloads.mapper().readValue(
                SharedFixtures.read("tekton/pipelinerun-with-results.json"), Map.class);
        return new HashMap<>((Map<String, Object>) run.get("status"));
    }

    private PushBuildFunction function(String builder, String namespace) {
        Map<String, String> properties = new HashMap<>(BuildFixtures.pipeline("web-app", REPO, builder));
        properties.put("relay.pipelines.web-app.build.namespace", namespace);
        properties.put("relay.pipelines.web-app.build.tekton.pipeline", "build-and-push");
        return new PushBuildFunction(BuildFixtures.bind(properties),
                new KubernetesAccess(() -> client, PushBuildFunction.WITHOUT_CLUSTER, Map.of(), NO_FILE, NO_FILE));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(CloudEvent event) {
        return EventPayloads.mapper().readValue(event.getData().toBytes(), Map.class);
    }
}
