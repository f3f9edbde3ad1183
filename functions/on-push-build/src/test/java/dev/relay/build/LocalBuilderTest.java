package dev.relay.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.testing.AnnotatedTags;
import dev.relay.shared.testing.GitHttpServer;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local builder end to end: a real Git repository served over HTTP on loopback, JGit checkout, a shell build
 * command, Jib FROM scratch to an OCI tarball; the tarball is opened and checked against the answered digest.
 */
class LocalBuilderTest {

    private static Path root;
    private static GitHttpServer git;
    private static String url;
    private static String commit;
    private static AnnotatedTags.Tag release;

    @BeforeAll
    static void repository() throws IOException {
        root = Files.createTempDirectory("relay-local-build");
        Path bare = TempGitRepos.createBare(root.resolve("git"), "web-app", Map.of(
                "src/index.html", "<h1>Relay</h1>\n",
                "src/css/site.css", "h1 { color: teal }\n"));
        git = GitHttpServer.start(root.resolve("git"));
        url = git.url("web-app.git");
        commit = TempGitRepos.log(bare, "main").get(0).getName();
        release = AnnotatedTags.create(bare, "main", "v1.0.0", "release 1.0.0");
    }

    @AfterAll
    static void cleanUp() {
        git.close();
        TempGitRepos.deleteTree(root);
    }

    @Test
    void shouldBuildTheCommitIntoAnOciTarballAndAnswerImagePushedWithItsDigest() {
        PushBuildFunction function = function("web-app",
                List.of("sh", "-c", "mkdir -p out && cp -r src/* out/ && echo built"));

        CloudEvent answer = function.apply(BuildFixtures.pushed(url, "refs/heads/main", commit));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.IMAGE_PUSHED);
        assertThat(answer.getSource()).hasToString("/relay/on-push-build");
        assertThat(answer.getExtension("relayapp")).isEqualTo("web-app");
        Map<String, Object> data = data(answer);
        String tag = commit.substring(0, 7);
        Path tarball = root.resolve("work/images/web-app-" + tag + ".tar");
        assertThat(data).containsEntry("image", "registry.example.com/team/web-app").containsEntry("tag", tag)
                .containsEntry("sourceCommit", commit).containsEntry("registry", "oci-archive:" + tarball);
        String digest = (String) data.get("digest");
        assertThat(digest).matches("sha256:[0-9a-f]{64}");

        Map<String, byte[]> archive = TarEntries.read(tarball);
        assertThat(archive).containsKeys("oci-layout", "index.json");
        Map<String, Object> index = json(archive.get("index.json"));
        Map<String, Object> manifestDescriptor = first(index.get("manifests"));
        assertThat(manifestDescriptor.get("digest")).isEqualTo(digest);
        byte[] manifestBytes = archive.get(blob(digest));
        assertThat(sha256(manifestBytes)).isEqualTo(digest);
        Map<String, Object> manifest = json(manifestBytes);
        assertThat(manifest.get("mediaType")).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) manifest.get("layers");
        assertThat(layers).singleElement().satisfies(layer -> {
            Map<String, byte[]> files = TarEntries.readGzip(archive.get(blob((String) layer.get("digest"))));
            assertThat(files).containsKeys("app/index.html", "app/css/site.css");
            assertThat(new String(files.get("app/index.html"), StandardCharsets.UTF_8)).isEqualTo("<h1>Relay</h1>\n");
        });
        Map<String, Object> config = json(archive.get(blob((String) json(manifestBytes).entrySet().stream()
                .filter(e -> e.getKey().equals("config")).map(e -> ((Map<?, ?>) e.getValue()).get("digest"))
                .findFirst().orElseThrow())));
        assertThat(config.toString()).contains("/app/server").contains(commit);

        CloudEvent again = function.apply(BuildFixtures.pushed(url, "refs/heads/main", commit));
        assertThat(again.getType()).isEqualTo(RelayEventTypes.IMAGE_PUSHED);
        assertThat(data(again).get("digest")).as("a rebuild of the same commit is the same image").isEqualTo(digest);
    }

    @Test
    void shouldBuildTheCommitAnAnnotatedTagPointsToWhenTheTagObjectIsPushed() {
        PushBuildFunction function = function("web-app",
                List.of("sh", "-c", "mkdir -p out && echo \"$RELAY_COMMIT\" > out/commit"));

        CloudEvent answer = function.apply(BuildFixtures.pushed(url, "refs/tags/v1.0.0", release.tagObject()));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.IMAGE_PUSHED);
        assertThat(data(answer)).containsEntry("tag", "v1.0.0").containsEntry("sourceCommit", release.commit());
        Map<String, byte[]> archive = TarEntries.read(root.resolve("work/images/web-app-v1.0.0.tar"));
        Map<String, Object> index = json(archive.get("index.json"));
        Map<String, Object> manifest = json(archive.get(blob((String) first(index.get("manifests")).get("digest"))));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) manifest.get("layers");
        Map<String, byte[]> files = TarEntries.readGzip(archive.get(blob((String) layers.get(0).get("digest"))));
        assertThat(new String(files.get("app/commit"), StandardCharsets.UTF_8)).isEqualTo(release.commit() + "\n");
    }

    @Test
    void shouldAnswerBuildFailedWithTheTailOfTheOutputWhenTheCommandFails() {
        PushBuildFunction function = function("web-app",
                List.of("sh", "-c", "for i in $(seq 1 80); do echo line-$i; done; echo boom >&2; exit 3"));

        CloudEvent answer = function.apply(BuildFixtures.pushed(url, "refs/heads/main", commit));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_FAILED);
        Map<String, Object> data = data(answer);
        assertThat(data).containsEntry("builder", "local").containsEntry("commit", commit);
        String reason = (String) data.get("reason");
        assertThat(reason).contains("exited with 3").contains("line-80").contains("boom").doesNotContain("line-30\n");
    }

    @Test
    void shouldAnswerBuildFailedWhenTheOutputDirectoryIsMissing() {
        CloudEvent answer = function("web-app", List.of("sh", "-c", "echo nothing to see"))
                .apply(BuildFixtures.pushed(url, "refs/heads/main", commit));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.BUILD_FAILED);
        assertThat((String) data(answer).get("reason")).contains("output-dir 'out'").contains("nothing to see");
    }

    private static PushBuildFunction function(String app, List<String> command) {
        Map<String, String> properties = new HashMap<>(BuildFixtures.pipeline(app, url, "local"));
        String prefix = "relay.pipelines." + app + ".build.local.";
        for (int i = 0; i < command.size(); i++) {
            properties.put(prefix + "command[" + i + "]", command.get(i));
        }
        properties.put(prefix + "output-dir", "out");
        properties.put(prefix + "entrypoint[0]", "/app/server");
        properties.put(prefix + "timeout", "60s");
        properties.put(prefix + "work-dir", root.resolve("work").toString());
        return new PushBuildFunction(BuildFixtures.bind(properties),
                new KubernetesAccess(() -> null, PushBuildFunction.WITHOUT_CLUSTER,
                        Map.of(), Path.of("/nonexistent"), Path.of("/nonexistent")));
    }

    private static String blob(String digest) {
        return "blobs/sha256/" + digest.substring("sha256:".length());
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Object list) {
        return ((List<Map<String, Object>>) list).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(byte[] bytes) {
        if (bytes == null) {
            throw new UncheckedIOException(new IOException("missing entry"));
        }
        return EventPayloads.mapper().readValue(bytes, Map.class);
    }

    private static Map<String, Object> data(CloudEvent event) {
        return ClusterBuildsTest.data(event);
    }
}
