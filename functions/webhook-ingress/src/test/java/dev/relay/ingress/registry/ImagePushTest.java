package dev.relay.ingress.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.http.EventRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImagePushTest {

    static final String DIGEST = "sha256:06a0007737f476b28e4fe9ae1f8fb6e4ff0c2a8220dd8a5597e4416b61b8706c";

    @ParameterizedTest
    @CsvSource({
            "harbor.example.com/example/test:latest, harbor.example.com/example/test",
            "localhost/harbor/alpine@sha256:954b, localhost/harbor/alpine",
            "harbor.dev/library/busybox:v1.0@sha256:dde8, harbor.dev/library/busybox",
            "127.0.0.1:5000/team/demo:1.0.0, 127.0.0.1:5000/team/demo",
            "127.0.0.1:5000/team/demo, 127.0.0.1:5000/team/demo"})
    void shouldStripTagAndDigestFromAHarborResourceUrl(String resourceUrl, String repository) {
        assertThat(HarborAdapter.repositoryOf(resourceUrl)).isEqualTo(repository);
    }

    @Test
    void shouldAcceptAValidPush() {
        ImagePush push = new ImagePush("distribution-1", "127.0.0.1:5000/team/demo", "1.0.0", DIGEST, "127.0.0.1:5000");
        assertThat(push.payload().image()).isEqualTo("127.0.0.1:5000/team/demo");
        assertThat(push.payload().sourceCommit()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Registry.example.com:5000/Team/demo", "registry.example.com/team//demo",
            "registry.example.com/team/demo:1.0", "registry.example.com/team/demo@" + DIGEST,
            "other.example.com/team/demo"})
    void shouldRejectImagesThatAreNotRepositoriesOfTheirRegistryWith422(String image) {
        assertThatThrownBy(() -> new ImagePush("id", image, "1.0.0", DIGEST, "registry.example.com"))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @ParameterizedTest
    @ValueSource(strings = {".hidden", "-x", "a b", "v1;rm", "sha256:abc"})
    void shouldRejectInvalidTagsWith422(String tag) {
        assertThatThrownBy(() -> new ImagePush("id", "r.example.com/a", tag, DIGEST, "r.example.com"))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:06a0", "SHA256:06a0007737f476b28e4fe9ae1f8fb6e4ff0c2a8220dd8a5597e4416b61b8706c",
            "sha512:06a0007737f476b28e4fe9ae1f8fb6e4ff0c2a8220dd8a5597e4416b61b8706c",
            "sha256:06A0007737F476B28E4FE9AE1F8FB6E4FF0C2A8220DD8A5597E4416B61B8706C"})
    void shouldRejectInvalidDigestsWith422(String digest) {
        assertThatThrownBy(() -> new ImagePush("id", "r.example.com/a", "1", digest, "r.example.com"))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @Test
    void shouldRejectMissingFieldsWith400() {
        assertThatThrownBy(() -> new ImagePush("id", "r.example.com/a", null, DIGEST, "r.example.com"))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> new ImagePush("id", null, "1", DIGEST, null))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
}
