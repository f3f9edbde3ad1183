package dev.relay.build;

import static dev.relay.build.BuildFixtures.SHA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PushReaderTest {

    private final PushReader reader = new PushReader();

    @Test
    void shouldReadARelayPush() {
        Push push = reader.read(BuildFixtures.pushed(BuildFixtures.REPO, "refs/heads/main", SHA.toUpperCase()));

        assertThat(push.commit()).isEqualTo(SHA);
        assertThat(push.ref()).isEqualTo(new GitRef(GitRef.Kind.BRANCH, "main"));
        assertThat(push.provider()).isEqualTo("gitea");
        assertThat(push.isDeletion()).isFalse();
        assertThat(push.commitTime()).isNull();
    }

    @Test
    void shouldNormaliseTheCommitTimeOfARelayPushAndRejectAnInvalidOne() {
        Push push = reader.read(CloudEventHttp.event(RelayEventTypes.GIT_PUSHED, new Payloads.GitPushed(
                BuildFixtures.REPO, "refs/heads/main", SHA, null, "octocat", "gitlab", "2026-11-29T20:15:30+01:00"))
                .build());
        assertThat(push.commitTime()).isEqualTo("2026-11-29T19:15:30Z");

        assertThatThrownBy(() -> reader.read(CloudEventHttp.event(RelayEventTypes.GIT_PUSHED, new Payloads.GitPushed(
                BuildFixtures.REPO, "refs/heads/main", SHA, null, "octocat", "gitlab", "yesterday\n")).build()))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.problemType()).isEqualTo("invalid-commit-time");
                });
    }

    @Test
    void shouldReadTheGitHubPayloadOfAKnativeGitHubSource() throws IOException {
        Push push = reader.read(gitHubSourceEvent("push-with-new-branch.payload.json"));

        assertThat(push.repository()).isEqualTo("https://github.com/Codertocat/Hello-World.git");
        assertThat(push.ref().fullName()).isEqualTo("refs/heads/master");
        assertThat(push.commit()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
        assertThat(push.pusher()).isEqualTo("Codertocat");
        assertThat(push.provider()).isEqualTo("github");
        assertThat(push.commitTime()).as("head_commit.timestamp of the pushed commit").isEqualTo("2019-05-15T15:19:25Z");

        Push deletion = reader.read(gitHubSourceEvent("push-payload.json"));
        assertThat(deletion.isDeletion()).isTrue();
        assertThat(deletion.ref().fullName()).isEqualTo("refs/tags/simple-tag");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://git.example.com/a.git | refs/heads/main | 4c3f5e2 | invalid-commit",
            "https://git.example.com/a.git | refs/heads/main | zz3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-commit",
            "https://git.example.com/a.git | main | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-ref",
            "https://git.example.com/a.git | refs/pull/1/head | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-ref",
            "https://git.example.com/a.git | refs/heads/a..b | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-ref",
            "https://git.example.com/a.git | refs/heads/x#y | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-ref",
            "https://git.example.com/a.git | refs/heads/.hidden | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-ref",
            "file://evil.example.com/etc/passwd | refs/heads/main | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-repository",
            "file:///srv/../etc/passwd | refs/heads/main | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-repository",
            "ftp://git.example.com/a.git | refs/heads/main | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-repository",
            "/srv/git/a.git | refs/heads/main | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | invalid-repository",
            "'' | refs/heads/main | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | missing-field",
            "https://git.example.com/a.git | '' | 4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b | missing-field"})
    void shouldRejectBadPushes(String repository, String ref, String commit, String problem) {
        assertThatThrownBy(() -> reader.read(BuildFixtures.pushed(repository, ref, commit)))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.problemType()).isEqualTo(problem);
                });
    }

    @Test
    void shouldRejectMissingDataAndNeverEchoCredentials() {
        CloudEvent noData = CloudEventBuilder.v1().withId("1").withType(RelayEventTypes.GIT_PUSHED)
                .withSource(URI.create("/tests")).build();
        assertThatThrownBy(() -> reader.read(noData)).isInstanceOfSatisfying(EventRejectedException.class,
                e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> reader.read(BuildFixtures.pushed("https://bot:s3cret@git.example.com/a.git",
                "refs/heads/main", "4c3f5e2"))).isInstanceOf(EventRejectedException.class);
        Push push = reader.read(BuildFixtures.pushed("https://bot:s3cret@git.example.com/a.git", "refs/heads/main",
                SHA));
        assertThat(push.repository()).doesNotContain("s3cret");
        assertThatThrownBy(() -> reader.read(CloudEventHttp.event(RelayEventTypes.GIT_PUSHED,
                new Payloads.GitPushed("ftp://bot:s3cret@h/a", "refs/heads/main", SHA, null, null, null)).build()))
                .isInstanceOfSatisfying(EventRejectedException.class,
                        e -> assertThat(e.detail()).doesNotContain("s3cret"));
    }

    private static CloudEvent gitHubSourceEvent(String fixture) throws IOException {
        try (InputStream in = PushReaderTest.class.getResourceAsStream("/github/" + fixture)) {
            return CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withType(PushReader.GITHUB_SOURCE_PUSH)
                    .withSource(URI.create("https://github.com/Codertocat/Hello-World"))
                    .withDataContentType("application/json").withData(in.readAllBytes()).build();
        }
    }
}
