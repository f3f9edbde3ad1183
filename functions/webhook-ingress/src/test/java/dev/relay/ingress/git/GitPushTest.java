package dev.relay.ingress.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.http.EventRejectedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GitPushTest {

    static final String COMMIT = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    static final String ZEROS = "0000000000000000000000000000000000000000";

    @ParameterizedTest
    @ValueSource(strings = {"refs/heads/main", "refs/heads/feature/x-1", "refs/tags/v1.2.3", "refs/tags/release@1",
            "refs/heads/ümlaut"})
    void shouldAcceptBranchAndTagRefs(String ref) {
        assertThat(push("https://git.example.com/team/app.git", ref, COMMIT).ref()).isEqualTo(ref);
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "refs/heads/", "refs/pull/1/head", "refs/heads/a..b", "refs/heads/a b",
            "refs/heads/x.lock", "refs/heads/.hidden", "refs/heads/a//b", "refs/heads/a@{1}", "refs/heads/@",
            "refs/heads/x~1", "refs/heads/x^", "refs/heads/x:y", "refs/heads/x?", "refs/heads/x*", "refs/heads/[x",
            "refs/heads/x\\\\y", "refs/heads/end.", "refs/heads/end/", "refs/heads/ctl\\001", "refs/tags"})
    void shouldRejectInvalidRefsWith422(String ref) {
        assertThatThrownBy(() -> push("https://git.example.com/team/app.git", ref.translateEscapes(), COMMIT))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://git.example.com/team/app.git", "http://localhost:3000/example/example.git",
            "ssh://git@git.example.com:2222/team/app.git", "git://git.example.com/team/app.git"})
    void shouldAcceptCloneUrls(String url) {
        assertThat(push(url, "refs/heads/main", COMMIT).repository()).isEqualTo(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "git@example.com:team/app.git", "https://bot:token@example.com/a.git",
            "https://bot@example.com/a.git", "ftp://example.com/a.git", "https://example.com", "not a url"})
    void shouldRejectOtherRepositoryUrlsWith422(String url) {
        assertThatThrownBy(() -> push(url, "refs/heads/main", COMMIT))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @ParameterizedTest
    @ValueSource(strings = {"6113728", "6113728f27ae82c7b1a177c8d03f9e96e0adf24g", ZEROS})
    void shouldRejectCommitsThatAreNotObjectIds(String commit) {
        assertThatThrownBy(() -> push("https://git.example.com/a.git", "refs/heads/main", commit))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @org.junit.jupiter.api.Test
    void shouldAcceptSha256ObjectIdsAndLowerCaseThem() {
        String sha256 = "A".repeat(64);
        assertThat(push("https://git.example.com/a.git", "refs/heads/main", sha256).commit()).isEqualTo("a".repeat(64));
    }

    @org.junit.jupiter.api.Test
    void shouldRejectMissingFieldsWith400() {
        assertThatThrownBy(() -> new GitPush("id", "github", "https://git.example.com/a.git", "refs/heads/main",
                COMMIT, ZEROS, null))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    private static GitPush push(String repository, String ref, String commit) {
        return new GitPush("github-1", "github", repository, ref, commit, ZEROS, "octocat");
    }
}
