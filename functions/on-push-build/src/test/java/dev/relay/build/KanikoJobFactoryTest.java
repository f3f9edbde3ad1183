package dev.relay.build;

import static dev.relay.build.BuildFixtures.REPO;
import static dev.relay.build.BuildFixtures.SHA;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KanikoJobFactoryTest {

    private static final String PREFIX = "relay.pipelines.web-app.build.kaniko.";

    @Test
    void shouldBuildTheExactCommitAndPushWithCacheAndDigestFile() {
        Job job = KanikoJobFactory.job(request(REPO, "refs/heads/main", Map.of(
                PREFIX + "context-sub-path", "services/web",
                PREFIX + "cache-repo", "registry.example.com/team/cache")), "builds");

        Container kaniko = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(kaniko.getImage()).isEqualTo("gcr.io/kaniko-project/executor:v1.23.2");
        assertThat(kaniko.getArgs()).containsExactly(
                "--context=git://git.example.com/team/web-app.git#refs/heads/main#" + SHA,
                "--dockerfile=Dockerfile",
                "--context-sub-path=services/web",
                "--destination=registry.example.com/team/web-app:4c3f5e2",
                "--cache=true",
                "--cache-repo=registry.example.com/team/cache",
                "--digest-file=/dev/termination-log");
        assertThat(kaniko.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
        assertThat(kaniko.getEnv()).isEmpty();
        assertThat(kaniko.getVolumeMounts()).isEmpty();
    }

    @Test
    void shouldSetNameLabelsAnnotationsAndJobPolicy() {
        Job job = KanikoJobFactory.job(request(REPO, "refs/tags/v1.2.0", Map.of(
                PREFIX + "backoff-limit", "2", PREFIX + "ttl-seconds-after-finished", "600",
                PREFIX + "active-deadline-seconds", "1800")), "builds");

        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
        assertThat(job.getKind()).isEqualTo("Job");
        assertThat(job.getMetadata().getName()).isEqualTo(JobNames.of("web-app", SHA, "v1.2.0"));
        assertThat(job.getMetadata().getNamespace()).isEqualTo("builds");
        Map<String, String> labels = Map.of("app.kubernetes.io/managed-by", "relay", "relay.dev/app", "web-app",
                "relay.dev/commit", SHA, "relay.dev/completion-events", "true");
        assertThat(job.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(labels);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(labels);
        assertThat(job.getMetadata().getAnnotations()).containsEntry("relay.dev/trace", "trace-1")
                .containsEntry("relay.dev/image", "registry.example.com/team/web-app:v1.2.0")
                .containsEntry("relay.dev/ref", "refs/tags/v1.2.0").containsEntry("relay.dev/tag", "v1.2.0")
                .containsEntry("relay.dev/image-repository", "registry.example.com/team/web-app")
                .containsEntry("relay.dev/source-commit", SHA).containsEntry("relay.dev/app", "web-app")
                .doesNotContainKey("relay.dev/source-commit-time");
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getContainers().get(0).getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(pod.getContainers().get(0).getArgs())
                .contains("--context=git://git.example.com/team/web-app.git#refs/tags/v1.2.0#" + SHA)
                .contains("--cache-repo=registry.example.com/team/web-app/cache")
                .noneMatch(arg -> arg.startsWith("--context-sub-path"));
    }

    @Test
    void shouldDefaultBackoffAndTtl() {
        Job job = KanikoJobFactory.job(request(REPO, "refs/heads/main", Map.of()), "default");

        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isNull();
    }

    @Test
    void shouldMountRegistryCredentialsAndSetResourcesAndGitAccess() {
        Job job = KanikoJobFactory.job(request("http://gitea.local:3000/team/web-app.git", "refs/heads/main", Map.of(
                PREFIX + "registry-secret", "registry-push",
                PREFIX + "git-token-secret", "gitea-token",
                PREFIX + "resources.requests.cpu", "500m",
                PREFIX + "resources.requests.memory", "1Gi",
                PREFIX + "resources.limits.memory", "4Gi")), "builds");

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container kaniko = pod.getContainers().get(0);
        assertThat(kaniko.getArgs()).contains("--context=git://gitea.local:3000/team/web-app.git#refs/heads/main#" + SHA);
        assertThat(kaniko.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("GIT_PULL_METHOD");
            assertThat(env.getValue()).isEqualTo("http");
        }).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("GIT_TOKEN");
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("gitea-token");
            assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
        });
        assertThat(kaniko.getVolumeMounts()).singleElement().satisfies(mount -> {
            assertThat(mount.getName()).isEqualTo("docker-config");
            assertThat(mount.getMountPath()).isEqualTo("/kaniko/.docker");
            assertThat(mount.getReadOnly()).isTrue();
        });
        assertThat(pod.getVolumes()).singleElement().satisfies(volume -> {
            assertThat(volume.getSecret().getSecretName()).isEqualTo("registry-push");
            assertThat(volume.getSecret().getItems()).singleElement().satisfies(item -> {
                assertThat(item.getKey()).isEqualTo(".dockerconfigjson");
                assertThat(item.getPath()).isEqualTo("config.json");
            });
        });
        assertThat(kaniko.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"))
                .containsEntry("memory", new Quantity("1Gi"));
        assertThat(kaniko.getResources().getLimits()).containsOnlyKeys("memory")
                .containsEntry("memory", new Quantity("4Gi"));
    }

    @Test
    void shouldCloneSshRepositoriesOverHttpsAndNeverPutCredentialsInArgs() {
        Job ssh = KanikoJobFactory.job(request("git@git.example.com:team/web-app.git", "refs/heads/main", Map.of()),
                "builds");
        assertThat(ssh.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--context=git://git.example.com/team/web-app.git#refs/heads/main#" + SHA);

        Job withUserinfo = KanikoJobFactory.job(request("https://bot:s3cret@git.example.com/team/web-app.git",
                "refs/heads/main", Map.of()), "builds");
        assertThat(withUserinfo.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .noneMatch(arg -> arg.contains("s3cret"));
        assertThat(withUserinfo.getMetadata().getAnnotations().values()).noneMatch(v -> v.contains("s3cret"));
    }

    static BuildRequest request(String repository, String ref, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(BuildFixtures.pipeline("web-app", repository, "kaniko"));
        properties.putAll(extra);
        BuildPlanner planner = new BuildPlanner(BuildFixtures.bind(properties));
        Push push = new PushReader().read(BuildFixtures.pushedEvent(repository, ref, SHA)
                .withExtension("relaytrace", "trace-1").build());
        return ((BuildPlan.Build) planner.plan(push, "event-1", "trace-1", null)).request();
    }
}
