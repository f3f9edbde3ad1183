package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.kubernetes.KubernetesAccess;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * trivy-job against fabric8's mock API server (CRUD, plus expectations for pod logs, which CRUD mode cannot serve):
 * the Job is created once per digest, a finished Job's report is read from its pod's log and judged, a Job still
 * running answers 503 so the broker redelivers, a failed Job answers scan.errored.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterScansTest {

    private static final Path NO_FILE = Path.of("/nonexistent/relay");
    private static final String JOB = "scan-web-app-4c3f5e2b9a8d";

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void shouldCreateOneJobPerDigestAndAnswer503WhileItRuns() {
        ImageScanFunction function = function("ns-running", "0s", duration -> { });

        assertThatThrownBy(() -> function.apply(ScanFixtures.pushed(ScanFixtures.DIGEST)))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.problemType()).isEqualTo("scan-in-progress");
                    assertThat(e.detail()).contains(JOB).contains("ns-running");
                });
        List<Job> jobs = client.batch().v1().jobs().inNamespace("ns-running").list().getItems();
        assertThat(jobs).singleElement().satisfies(job -> {
            assertThat(job.getMetadata().getName()).isEqualTo(JOB);
            assertThat(job.getMetadata().getLabels()).containsEntry("relay.dev/app", "web-app")
                    .containsEntry("relay.dev/digest", ScanFixtures.DIGEST.substring(7, 70));
            assertThat(job.getMetadata().getAnnotations()).containsEntry("relay.dev/trace", ScanFixtures.TRACE);
            var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getImage()).isEqualTo("aquasec/trivy:0.58.1");
            assertThat(container.getArgs()).last().isEqualTo(ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST);
            assertThat(container.getArgs()).noneMatch(a -> a.contains(":1.2.0"));
            assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
            assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
                    .anyMatch(v -> v.getSecret() != null
                            && v.getSecret().getSecretName().equals("relay-registry-credentials"));
        });

        // The redelivery meets AlreadyExists: still one Job. Another digest of the same image is another scan.
        assertThatThrownBy(() -> function.apply(ScanFixtures.pushed(ScanFixtures.DIGEST)))
                .isInstanceOf(EventRetryableException.class);
        assertThat(client.batch().v1().jobs().inNamespace("ns-running").list().getItems()).hasSize(1);
        assertThatThrownBy(() -> function.apply(ScanFixtures.pushed(ScanFixtures.OTHER_DIGEST)))
                .isInstanceOf(EventRetryableException.class);
        assertThat(client.batch().v1().jobs().inNamespace("ns-running").list().getItems())
                .extracting(j -> j.getMetadata().getName())
                .containsExactlyInAnyOrder(JOB, "scan-web-app-0123456789ab");
    }

    @Test
    void shouldReadAndJudgeTheReportOfACompletedJob() {
        finishedJob("ns-done", JOB, true);
        pod("ns-done", JOB + "-x7k2p");
        serveLog("ns-done", JOB + "-x7k2p", ScanFixtures.golden(ScanFixtures.ALPINE_39_HIGH_CRITICAL));

        CloudEvent answer = function("ns-done", "50s", duration -> { })
                .apply(ScanFixtures.pushed(ScanFixtures.DIGEST));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_FAILED);
        assertThat(answer.getSource()).hasToString("/relay/on-image-scan");
        assertThat(answer.getExtension("relaytrace")).isEqualTo(ScanFixtures.TRACE);
        assertThat(answer.getExtension("relayapp")).isEqualTo("web-app");
        Map<String, Object> data = ScanFixtures.data(answer);
        assertThat(data).containsEntry("image", ScanFixtures.IMAGE).containsEntry("tag", "1.2.0")
                .containsEntry("digest", ScanFixtures.DIGEST).containsEntry("sourceCommit", ScanFixtures.COMMIT)
                .containsEntry("policy", "default (fail-on high)")
                .containsEntry("blocking", List.of("CVE-2019-14697"))
                .containsEntry("counts", Map.of("critical", 2, "high", 0, "medium", 0, "low", 0, "unknown", 0));
        assertThat(client.batch().v1().jobs().inNamespace("ns-done").list().getItems()).hasSize(1);
    }

    @Test
    void shouldPollUntilTheJobCompletesWithinTheDeadline() {
        pod("ns-poll", JOB + "-q9w8e");
        serveLog("ns-poll", JOB + "-q9w8e", ScanFixtures.golden(ScanFixtures.ALPINE_310));
        AtomicInteger pauses = new AtomicInteger();
        // Each pause stands for the time the Job runs: the second one lets it complete.
        KubernetesScans.Pause clusterRuns = duration -> {
            if (pauses.incrementAndGet() == 2) {
                Job job = client.batch().v1().jobs().inNamespace("ns-poll").withName(JOB).get();
                job.setStatus(new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete")
                        .withStatus("True").endCondition().build());
                client.batch().v1().jobs().inNamespace("ns-poll").resource(job).updateStatus();
            }
        };

        CloudEvent answer = function("ns-poll", "50s", clusterRuns).apply(ScanFixtures.pushed(ScanFixtures.DIGEST));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_PASSED);
        assertThat(ScanFixtures.data(answer)).containsEntry("blocking", List.of())
                .containsEntry("counts", Map.of("critical", 0, "high", 0, "medium", 4, "low", 0, "unknown", 0));
        assertThat(pauses.get()).isEqualTo(2);
    }

    @Test
    void shouldAnswerErroredWithTheLogTailWhenTheJobFailed() {
        finishedJob("ns-failed", JOB, false);
        pod("ns-failed", JOB + "-f4il5");
        serveLog("ns-failed", JOB + "-f4il5", "2026-03-15T10:00:00Z\tFATAL\tFatal error\timage scan error: "
                + "unable to find the specified image \"" + ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST + "\"\n");

        CloudEvent answer = function("ns-failed", "50s", duration -> { })
                .apply(ScanFixtures.pushed(ScanFixtures.DIGEST));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        Map<String, Object> data = ScanFixtures.data(answer);
        assertThat((String) data.get("reason")).contains("Job " + JOB + " failed: BackoffLimitExceeded")
                .contains("unable to find the specified image");
        assertThat(data).doesNotContainKeys("counts", "blocking").containsEntry("digest", ScanFixtures.DIGEST);
    }

    @Test
    void shouldAnswer503NamingTheOtherBackendsWithoutAKubernetesApi() {
        KubernetesAccess none = new KubernetesAccess(() -> null, ImageScanFunction.WITHOUT_CLUSTER, Map.of(),
                NO_FILE, NO_FILE);
        ImageScanFunction function = new ImageScanFunction(properties("ns-x", "1s"), none,
                new ScanMetrics(new SimpleMeterRegistry()), Clock.systemUTC());

        assertThatThrownBy(() -> function.apply(ScanFixtures.pushed(ScanFixtures.DIGEST)))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.detail()).isEqualTo("no Kubernetes API: set KUBERNETES_SERVICE_HOST or kubeconfig,"
                            + " or use scan.backend: trivy-cli or harbor");
                });
    }

    private void finishedJob(String namespace, String name, boolean succeeded) {
        JobStatusBuilder status = new JobStatusBuilder();
        if (succeeded) {
            status.withSucceeded(1).addNewCondition().withType("Complete").withStatus("True").endCondition();
        } else {
            status.withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                    .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                    .endCondition();
        }
        client.batch().v1().jobs().inNamespace(namespace).resource(new JobBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withStatus(status.build()).build()).create();
    }

    private void pod(String namespace, String name) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("job-name", JOB).endMetadata().build()).create();
    }

    private void serveLog(String namespace, String pod, String log) {
        server.expect().get().withPath("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/log?pretty=false")
                .andReturn(200, log).always();
    }

    private ImageScanFunction function(String namespace, String deadline, KubernetesScans.Pause pause) {
        KubernetesAccess access = new KubernetesAccess(() -> client, ImageScanFunction.WITHOUT_CLUSTER, Map.of(),
                NO_FILE, NO_FILE);
        return new ImageScanFunction(properties(namespace, deadline), access,
                new ScanService(new TrivyJobScanner(access, pause), new TrivyCliScanner(), new HarborScanner()),
                new ScanMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }

    private static RelayProperties properties(String namespace, String deadline) {
        Map<String, String> p = new HashMap<>(ScanFixtures.pipeline("web-app", "trivy-job"));
        p.put("relay.pipelines.web-app.scan.trivy-job.namespace", namespace);
        p.put("relay.pipelines.web-app.scan.trivy-job.deadline", deadline);
        p.put("relay.pipelines.web-app.scan.trivy-job.registry-secret", "relay-registry-credentials");
        return ScanFixtures.bind(p);
    }
}
