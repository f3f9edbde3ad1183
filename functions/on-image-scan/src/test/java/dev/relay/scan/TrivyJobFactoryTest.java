package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.config.RelayProperties;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scan Job as a pure function of the request and the pipeline's trivy-job settings. */
class TrivyJobFactoryTest {

    @Test
    void shouldScanTheDigestWithAHardenedContainer() {
        Map<String, String> p = new HashMap<>(ScanFixtures.pipeline("web-app", "trivy-job"));
        p.put("relay.pipelines.web-app.scan.trivy-job.server", "http://trivy.trivy-system.svc:4954");
        p.put("relay.pipelines.web-app.scan.trivy-job.registry-secret", "relay-registry-credentials");
        p.put("relay.pipelines.web-app.scan.trivy-job.resources.limits.memory", "3Gi");
        Job job = TrivyJobFactory.job(request(p, ScanFixtures.DIGEST), "relay");

        assertThat(job.getMetadata().getName()).isEqualTo("scan-web-app-4c3f5e2b9a8d");
        assertThat(job.getMetadata().getLabels()).containsEntry("relay.dev/app", "web-app")
                .containsEntry("relay.dev/digest", ScanFixtures.DIGEST.substring("sha256:".length(), 7 + 63))
                .containsEntry("app.kubernetes.io/managed-by", "relay");
        assertThat(job.getMetadata().getLabels().values()).allSatisfy(v -> assertThat(v).hasSizeLessThanOrEqualTo(63));
        assertThat(job.getMetadata().getAnnotations()).containsEntry("relay.dev/trace", ScanFixtures.TRACE)
                .containsEntry("relay.dev/image", ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        Container trivy = pod.getContainers().get(0);
        assertThat(trivy.getImage()).isEqualTo("aquasec/trivy:0.58.1");
        assertThat(trivy.getArgs()).containsExactly("image", "--format", "json", "--quiet", "--no-progress",
                "--server", "http://trivy.trivy-system.svc:4954", ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST);
        assertThat(trivy.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(trivy.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(trivy.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(trivy.getResources().getRequests()).containsEntry("cpu", new Quantity("250m"))
                .containsEntry("memory", new Quantity("512Mi"));
        assertThat(trivy.getResources().getLimits()).containsEntry("memory", new Quantity("3Gi"));
        assertThat(trivy.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("DOCKER_CONFIG");
            assertThat(e.getValue()).isEqualTo("/docker-config");
        });
        assertThat(trivy.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/docker-config");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement().satisfies(v -> {
            assertThat(v.getSecret().getSecretName()).isEqualTo("relay-registry-credentials");
            assertThat(v.getSecret().getItems().get(0).getKey()).isEqualTo(".dockerconfigjson");
            assertThat(v.getSecret().getItems().get(0).getPath()).isEqualTo("config.json");
        });
    }

    @Test
    void shouldOmitServerAndSecretWhenUnset() {
        Job job = TrivyJobFactory.job(request(ScanFixtures.pipeline("web-app", "trivy-job"), ScanFixtures.DIGEST),
                "relay");
        Container trivy = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(trivy.getArgs()).containsExactly("image", "--format", "json", "--quiet", "--no-progress",
                ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST);
        assertThat(trivy.getEnv()).noneMatch(e -> e.getName().equals("DOCKER_CONFIG"));
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).noneMatch(v -> v.getSecret() != null);
    }

    @Test
    void shouldNameJobsFromAppAndDigestWithinTheLabelLimit() {
        assertThat(ScanJobNames.of("web-app", ScanFixtures.DIGEST)).isEqualTo("scan-web-app-4c3f5e2b9a8d");
        assertThat(ScanJobNames.of("web-app", ScanFixtures.OTHER_DIGEST)).isEqualTo("scan-web-app-0123456789ab");
        String longApp = "a".repeat(40) + "-" + "b".repeat(22);
        String name = ScanJobNames.of(longApp, ScanFixtures.DIGEST);
        assertThat(name).hasSizeLessThanOrEqualTo(63).startsWith("scan-aaaa").endsWith("-4c3f5e2b9a8d")
                .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(ScanJobNames.of(longApp.replace('b', 'c'), ScanFixtures.DIGEST)).isNotEqualTo(name);
    }

    static ScanRequest request(Map<String, String> properties, String digest) {
        RelayProperties relay = ScanFixtures.bind(properties);
        String app = relay.pipelines().keySet().iterator().next();
        return new ScanRequest(app, relay.pipeline(app).orElseThrow().scan(), ScanFixtures.IMAGE, "1.2.0", digest,
                ScanFixtures.COMMIT, "event-1", ScanFixtures.TRACE);
    }

}
