package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.testing.ApiServerSourceEvents;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.SharedFixtures;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * trivy-job against fabric8's mock API server in CRUD mode (plus expectations for pod logs, which CRUD mode cannot
 * serve), with a kubelet stand-in that finishes the scan pod and prints a real Trivy golden report as its log:
 * image.pushed creates the Job once per digest and answers scan.started at once; the Job's completion event
 * (ApiServerSource format) is read and judged into scan.passed / .failed, a failed Job into scan.errored; a redelivered
 * completion answers the same event, with the same id.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterScansTest {

    private static final Path NO_FILE = Path.of("/nonexistent/relay");
    private static final String JOB = "scan-web-app-4c3f5e2b9a8d";
    private static final String COMMIT_TIME = "2026-11-29T19:15:30Z";

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void shouldCreateOneJobPerDigestAndAnswerScanStartedWithoutWaiting() {
        ImageScanFunction function = function("ns-started");

        CloudEvent started = function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));

        assertThat(started.getType()).isEqualTo(RelayEventTypes.SCAN_STARTED);
        assertThat(started.getSource()).hasToString("/relay/on-image-scan");
        assertThat(started.getExtension(RelayExtensions.TRACE)).isEqualTo(ScanFixtures.TRACE);
        assertThat(started.getExtension(RelayExtensions.APP)).isEqualTo("web-app");
        assertThat(ScanFixtures.data(started)).containsEntry("image", ScanFixtures.IMAGE).containsEntry("tag", "1.2.0")
                .containsEntry("digest", ScanFixtures.DIGEST).containsEntry("job", JOB)
                .containsEntry("backend", "trivy-job").containsEntry("sourceCommit", ScanFixtures.COMMIT)
                .containsEntry("sourceCommitTime", COMMIT_TIME);
        List<Job> jobs = client.batch().v1().jobs().inNamespace("ns-started").list().getItems();
        assertThat(jobs).singleElement().satisfies(job -> {
            assertThat(job.getMetadata().getName()).isEqualTo(JOB);
            assertThat(job.getMetadata().getLabels()).containsEntry("relay.dev/app", "web-app")
                    .containsEntry("relay.dev/digest", ScanFixtures.DIGEST.substring(7, 70))
                    .containsEntry("relay.dev/completion-events", "true");
            assertThat(job.getMetadata().getAnnotations()).containsEntry("relay.dev/trace", ScanFixtures.TRACE)
                    .containsEntry("relay.dev/image-repository", ScanFixtures.IMAGE)
                    .containsEntry("relay.dev/tag", "1.2.0")
                    .containsEntry("relay.dev/source-commit", ScanFixtures.COMMIT)
                    .containsEntry("relay.dev/source-commit-time", COMMIT_TIME);
            var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getImage()).isEqualTo("aquasec/trivy:0.58.1");
            assertThat(container.getArgs()).last().isEqualTo(ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST);
            assertThat(container.getArgs()).noneMatch(a -> a.contains(":1.2.0"));
            assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
            assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
                    .anyMatch(v -> v.getSecret() != null
                            && v.getSecret().getSecretName().equals("relay-registry-credentials"));
        });

        // The redelivery meets AlreadyExists: still one Job, the same answer. Another digest is another scan.
        CloudEvent again = function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));
        assertThat(again.getId()).isEqualTo(started.getId());
        assertThat(ScanFixtures.data(again)).isEqualTo(ScanFixtures.data(started));
        assertThat(client.batch().v1().jobs().inNamespace("ns-started").list().getItems()).hasSize(1);
        assertThat(function.apply(ScanFixtures.pushed(ScanFixtures.OTHER_DIGEST)).getType())
                .isEqualTo(RelayEventTypes.SCAN_STARTED);
        assertThat(client.batch().v1().jobs().inNamespace("ns-started").list().getItems())
                .extracting(j -> j.getMetadata().getName())
                .containsExactlyInAnyOrder(JOB, "scan-web-app-0123456789ab");
    }

    @Test
    void shouldAnswerNothingWhileTheJobRuns() {
        ImageScanFunction function = function("ns-running");
        function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));

        assertThat(function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.ADD, job("ns-running")))).isNull();
        assertThat(function.apply(ApiServerSourceEvents.update(job("ns-running")))).isNull();
    }

    @Test
    void shouldJudgeTheReportOfTheCompletedJobAndAnswerTheSameEventOnRedelivery() {
        ImageScanFunction function = function("ns-done");
        function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));
        kubeletFinishes("ns-done", true, SharedFixtures.read("trivy/" + ScanFixtures.ALPINE_39_HIGH_CRITICAL));
        Job finished = finish("ns-done", true);

        CloudEvent answer = function.apply(ApiServerSourceEvents.update(finished));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_FAILED);
        assertThat(answer.getSource()).hasToString("/relay/on-image-scan");
        assertThat(answer.getExtension(RelayExtensions.TRACE)).isEqualTo(ScanFixtures.TRACE);
        assertThat(answer.getExtension(RelayExtensions.APP)).isEqualTo("web-app");
        Map<String, Object> data = ScanFixtures.data(answer);
        assertThat(data).containsEntry("image", ScanFixtures.IMAGE).containsEntry("tag", "1.2.0")
                .containsEntry("digest", ScanFixtures.DIGEST).containsEntry("sourceCommit", ScanFixtures.COMMIT)
                .containsEntry("sourceCommitTime", COMMIT_TIME)
                .containsEntry("policy", "default (fail-on high)")
                .containsEntry("blocking", List.of("CVE-2019-14697"))
                .containsEntry("counts", Map.of("critical", 2, "high", 0, "medium", 0, "low", 0, "unknown", 0));

        CloudEvent redelivered = function.apply(ApiServerSourceEvents.update(finished));
        CloudEvent relisted = function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.ADD, finished));
        for (CloudEvent again : List.of(redelivered, relisted)) {
            assertThat(again.getId()).isEqualTo(answer.getId());
            assertThat(again.getTime()).isEqualTo(answer.getTime());
            assertThat(ScanFixtures.data(again)).isEqualTo(data);
        }
        assertThat(client.batch().v1().jobs().inNamespace("ns-done").list().getItems()).hasSize(1);
        assertThat(function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.DELETE, finished))).isNull();
    }

    @Test
    void shouldAnswerScanPassedWithTheSourceCommitTimeForACleanReport() {
        ImageScanFunction function = function("ns-passed");
        function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));
        kubeletFinishes("ns-passed", true, SharedFixtures.read("trivy/" + ScanFixtures.ALPINE_310));

        CloudEvent answer = function.apply(ApiServerSourceEvents.update(finish("ns-passed", true)));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_PASSED);
        assertThat(ScanFixtures.data(answer)).containsEntry("blocking", List.of())
                .containsEntry("counts", Map.of("critical", 0, "high", 0, "medium", 4, "low", 0, "unknown", 0))
                .containsEntry("sourceCommit", ScanFixtures.COMMIT).containsEntry("sourceCommitTime", COMMIT_TIME);
    }

    @Test
    void shouldAnswerErroredWithTheLogTailWhenTheJobFailed() {
        ImageScanFunction function = function("ns-failed");
        function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));
        kubeletFinishes("ns-failed", false, "2026-03-15T10:00:00Z\tFATAL\tFatal error\timage scan error: "
                + "unable to find the specified image \"" + ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST + "\"\n");

        CloudEvent answer = function.apply(ApiServerSourceEvents.update(finish("ns-failed", false)));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        Map<String, Object> data = ScanFixtures.data(answer);
        assertThat((String) data.get("reason")).contains("Job " + JOB + " failed: BackoffLimitExceeded")
                .contains("unable to find the specified image");
        assertThat(data).doesNotContainKeys("counts", "blocking").containsEntry("digest", ScanFixtures.DIGEST);
    }

    @Test
    void shouldAnswerErroredWhenTheSucceededJobsLogIsNoReport() {
        ImageScanFunction function = function("ns-garbage");
        function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));
        kubeletFinishes("ns-garbage", true, "2026-03-15T10:00:00Z\tINFO\tNeed to update DB\n");

        CloudEvent answer = function.apply(ApiServerSourceEvents.update(finish("ns-garbage", true)));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        assertThat((String) ScanFixtures.data(answer).get("reason")).contains("is not a Trivy report");
    }

    @Test
    void shouldAnswerErroredWhenARunningScanJobIsDeleted() {
        ImageScanFunction function = function("ns-deleted");
        function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));

        CloudEvent answer = function.apply(ApiServerSourceEvents.of(ApiServerSourceEvents.DELETE, job("ns-deleted")));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        assertThat((String) ScanFixtures.data(answer).get("reason")).contains("deleted before it finished");
    }

    @Test
    void shouldSkipJobsThatAreNotRelayScansAndRefuseATamperedOne() {
        ImageScanFunction function = function("ns-other");
        Job foreign = client.batch().v1().jobs().inNamespace("ns-other").resource(new JobBuilder()
                .withNewMetadata().withName("scan-nightly").withNamespace("ns-other").endMetadata()
                .withNewStatus().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True")
                .endCondition().endStatus().build()).create();
        assertThat(function.apply(ApiServerSourceEvents.update(foreign))).isNull();

        function.apply(pushedWithCommitTime(ScanFixtures.DIGEST));
        Job tampered = job("ns-other");
        tampered.getMetadata().getAnnotations().put("relay.dev/image-repository", "evil.example.com/other");
        assertThatThrownBy(() -> function.apply(ApiServerSourceEvents.update(tampered)))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.problemType()).isEqualTo("invalid-scan-job");
                    assertThat(e.detail()).contains("deploys " + ScanFixtures.IMAGE);
                });
    }

    @Test
    void shouldAnswer503NamingTheOtherBackendsWithoutAKubernetesApi() {
        KubernetesAccess none = new KubernetesAccess(() -> null, ImageScanFunction.WITHOUT_CLUSTER, Map.of(),
                NO_FILE, NO_FILE);
        ImageScanFunction function = new ImageScanFunction(properties("ns-x"), none,
                new ScanMetrics(new SimpleMeterRegistry()), Clock.systemUTC());

        assertThatThrownBy(() -> function.apply(ScanFixtures.pushed(ScanFixtures.DIGEST)))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.detail()).isEqualTo("no Kubernetes API: set KUBERNETES_SERVICE_HOST or kubeconfig,"
                            + " or use scan.backend: trivy-cli or harbor");
                });
    }

    private static CloudEvent pushedWithCommitTime(String digest) {
        return CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED, new Payloads.ImagePushed(ScanFixtures.IMAGE, "1.2.0",
                        digest, "registry.example.com", ScanFixtures.COMMIT, COMMIT_TIME))
                .withExtension(RelayExtensions.TRACE, ScanFixtures.TRACE).build();
    }

    private Job job(String namespace) {
        return client.batch().v1().jobs().inNamespace(namespace).withName(JOB).get();
    }

    private Job finish(String namespace, boolean succeeded) {
        Job job = job(namespace);
        JobStatusBuilder status = new JobStatusBuilder();
        if (succeeded) {
            status.withSucceeded(1).withCompletionTime("2026-11-29T19:25:00Z").addNewCondition().withType("Complete")
                    .withStatus("True").endCondition();
        } else {
            status.withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                    .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                    .withLastTransitionTime("2026-11-29T19:25:00Z").endCondition();
        }
        job.setStatus(status.build());
        return client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
    }

    /** The kubelet stand-in: the Job's pod, ended, and {@code log} as what Trivy printed. */
    private void kubeletFinishes(String namespace, boolean succeeded, String log) {
        String pod = JOB + "-x7k2p";
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(pod)
                .addToLabels("job-name", JOB).endMetadata()
                .withNewStatus().withPhase(succeeded ? "Succeeded" : "Failed").endStatus().build()).create();
        server.expect().get().withPath("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/log?pretty=false")
                .andReturn(200, log).always();
    }

    private ImageScanFunction function(String namespace) {
        KubernetesAccess access = new KubernetesAccess(() -> client, ImageScanFunction.WITHOUT_CLUSTER, Map.of(),
                NO_FILE, NO_FILE);
        return new ImageScanFunction(properties(namespace), access, new ScanMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC());
    }

    private static RelayProperties properties(String namespace) {
        Map<String, String> p = new HashMap<>(ScanFixtures.pipeline("web-app", "trivy-job"));
        p.put("relay.pipelines.web-app.scan.trivy-job.namespace", namespace);
        p.put("relay.pipelines.web-app.scan.trivy-job.registry-secret", "relay-registry-credentials");
        return ScanFixtures.bind(p);
    }
}
