package dev.relay.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.config.RelayProperties;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The image a manifest sets, read the way the bump writes it; and how a pod's image is matched against it. */
class ManifestImagesTest {

    private static final String DIGEST = VerifyFixtures.DIGEST;

    @Test
    void shouldReadTheKustomizeEntryKeepingATagAsWrittenAndHonouringNewName() {
        String text = """
                images:
                  - name: registry.example.com/team/web-app
                    newName: mirror.example.com/team/web-app
                    newTag: 1.10
                """;

        ExpectedImage image = ManifestImages.read(text, pipeline(Map.of()).getKey(), pipeline(Map.of()).getValue(),
                "test");

        assertThat(image.image()).isEqualTo("mirror.example.com/team/web-app");
        assertThat(image.tag()).isEqualTo("1.10");
        assertThat(image.digest()).isNull();
    }

    @Test
    void shouldReadHelmValuesAtTheConfiguredPaths() {
        String text = """
                image:
                  repository: registry.example.com/team/web-app
                  tag: "2.0.1"
                  digest: %s
                """.formatted(DIGEST);
        var p = pipeline(Map.of("strategy", "helm"));

        ExpectedImage image = ManifestImages.read(text, p.getKey(), p.getValue(), "values.yaml");

        assertThat(image.reference()).isEqualTo("registry.example.com/team/web-app:2.0.1@" + DIGEST);
    }

    @Test
    void shouldRefuseAManifestThatDoesNotNameTheImage() {
        var p = pipeline(Map.of());
        assertThatThrownBy(() -> ManifestImages.read("images:\n  - name: busybox\n    newTag: '1'\n", p.getKey(),
                p.getValue(), "x")).isInstanceOf(ManifestImages.UnreadableManifestException.class)
                .hasMessageContaining("no images: entry named registry.example.com/team/web-app");
        assertThatThrownBy(() -> ManifestImages.read("images: [\n", p.getKey(), p.getValue(), "x"))
                .hasMessageContaining("is not valid YAML");
    }

    @Test
    void shouldMatchPodImagesByTagOrDigestAndRequireTheDigestWhenPinned() {
        String repo = "registry.example.com/team/web-app";
        ExpectedImage tagOnly = new ExpectedImage(repo, "1.0", null, "x");
        ExpectedImage pinned = new ExpectedImage(repo, "1.0", DIGEST, "x");

        assertThat(PodImages.matches(repo + ":1.0", null, tagOnly)).isTrue();
        assertThat(PodImages.matches(repo + ":1.1", null, tagOnly)).isFalse();
        assertThat(PodImages.matches(repo + "@" + DIGEST, null, pinned)).isTrue();
        assertThat(PodImages.matches(repo + ":1.0@" + DIGEST, null, pinned)).isTrue();
        assertThat(PodImages.matches(repo + ":1.0", "docker-pullable://" + repo + "@" + DIGEST, pinned)).isTrue();
        assertThat(PodImages.matches(repo + ":1.0", repo + "@" + VerifyFixtures.OLD_DIGEST, pinned)).isFalse();
        assertThat(PodImages.repository("localhost:5000/a/b:1@" + DIGEST)).isEqualTo("localhost:5000/a/b");
        assertThat(SyncSucceededReader.commitOf("main@sha1:" + "ab".repeat(20))).isEqualTo("ab".repeat(20));
        assertThat(SyncSucceededReader.commitOf("1.2.3")).isNull();
    }

    private static Map.Entry<RelayProperties.Pipeline, RelayProperties.Environment> pipeline(Map<String, String> env) {
        Map<String, String> p = new HashMap<>(VerifyFixtures.properties("file:///x", "/tmp/x", "ns"));
        env.forEach((k, v) -> p.put("relay.pipelines.web-app.environments[0]." + k, v));
        RelayProperties.Pipeline pipeline = VerifyFixtures.bind(p).pipeline("web-app").orElseThrow();
        return Map.entry(pipeline, pipeline.firstEnvironment());
    }
}
