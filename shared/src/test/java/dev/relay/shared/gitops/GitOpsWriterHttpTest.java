package dev.relay.shared.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.relay.shared.testing.GitHttpServer;
import dev.relay.shared.testing.TempGitRepos;

class GitOpsWriterHttpTest {

    private static final String USER = "relay-bot";
    private static final String PASSWORD = "correct-horse-battery-staple";

    @TempDir
    Path tmp;

    private Path remote;
    private GitHttpServer server;
    private GitOpsWriter writer;

    @BeforeEach
    void setUp() {
        Path root = tmp.resolve("srv");
        remote = TempGitRepos.createBare(root, "config", Map.of("values.yaml", "image:\n  tag: v1\n"));
        server = GitHttpServer.start(root, USER, PASSWORD);
        writer = new GitOpsWriter(GitWriterSettings.defaults(tmp.resolve("cache")));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void shouldPushWithBasicCredentials() throws IOException {
        Path passwordFile = Files.writeString(tmp.resolve("password"), PASSWORD + "\n");
        ConfigRepository repo = new ConfigRepository(server.url("config.git"), TempGitRepos.MAIN,
                GitCredentials.basic(USER, passwordFile));

        WriteOutcome outcome = writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "image:\n  tag: v2\n"));

        assertThat(outcome).isInstanceOf(WriteOutcome.Committed.class);
        assertThat(TempGitRepos.read(remote, TempGitRepos.MAIN, "values.yaml")).hasValue("image:\n  tag: v2\n");
        assertThat(writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "image:\n  tag: v2\n")))
                .isInstanceOf(WriteOutcome.AlreadyApplied.class);
    }

    @Test
    void shouldReadRotatedTokenFileAtUse() throws IOException {
        try (GitHttpServer tokenServer = GitHttpServer.start(tmp.resolve("srv"), "x-access-token", "token-2")) {
            Path tokenFile = Files.writeString(tmp.resolve("token"), "token-1\n");
            ConfigRepository repo = new ConfigRepository(tokenServer.url("config.git"), TempGitRepos.MAIN,
                    GitCredentials.token(tokenFile));
            assertThatThrownBy(() -> writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "v: 2\n")))
                    .isInstanceOf(GitAuthenticationException.class);

            Files.writeString(tokenFile, "token-2\n");

            assertThat(writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "v: 2\n")))
                    .isInstanceOf(WriteOutcome.Committed.class);
        }
    }

    @Test
    void aMissingTokenFileNamesItsSettingAndTheNextWriteAfterItAppearsSucceeds() throws IOException {
        // in-cluster: the Secret relay-git-credentials is mounted optional and not created yet
        try (GitHttpServer tokenServer = GitHttpServer.start(tmp.resolve("srv"), "x-access-token", "token-1")) {
            Path tokenFile = tmp.resolve("secrets/git/token");
            ConfigRepository repo = new ConfigRepository(tokenServer.url("config.git"), TempGitRepos.MAIN,
                    GitCredentials.token(tokenFile));
            assertThatThrownBy(() -> writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "v: 2\n")))
                    .isInstanceOf(GitAuthenticationException.class)
                    .hasMessageContaining("config-repo.credentials.token-file")
                    .hasMessageContaining(tokenFile.toString());
            assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(1);

            Files.createDirectories(tokenFile.getParent());
            Files.writeString(tokenFile, "token-1\n");

            assertThat(writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "v: 2\n")))
                    .isInstanceOf(WriteOutcome.Committed.class);
        }
    }

    @Test
    void aMissingSshKeyFileNamesItsSetting() {
        Path keyFile = tmp.resolve("secrets/git/ssh-privatekey");
        ConfigRepository repo = new ConfigRepository("ssh://git@127.0.0.1:1/config.git", TempGitRepos.MAIN,
                GitCredentials.ssh(keyFile, null));
        assertThatThrownBy(() -> writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "v: 2\n")))
                .isInstanceOf(GitAuthenticationException.class)
                .hasMessageContaining("config-repo.credentials.ssh-key-file")
                .hasMessageContaining(keyFile.toString());
    }

    @Test
    void shouldFailWithAuthenticationExceptionNamingUrlButNotPassword() throws IOException {
        Path passwordFile = Files.writeString(tmp.resolve("password"), "wrong-password-123\n");
        ConfigRepository repo = new ConfigRepository(server.url("config.git"), TempGitRepos.MAIN,
                GitCredentials.basic(USER, passwordFile));

        assertThatThrownBy(() -> writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "x: 1\n")))
                .isInstanceOf(GitAuthenticationException.class)
                .hasMessageContaining(server.url("config.git"))
                .hasMessageNotContaining("wrong-password-123")
                .hasMessageNotContaining(PASSWORD);
        assertThat(server.unauthorizedCount()).isPositive();
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(1);
    }

    @Test
    void shouldStripUserinfoFromUrlInAuthenticationMessage() {
        String url = server.url("config.git").replace("http://", "http://" + USER + ":inline-secret@");
        ConfigRepository repo = new ConfigRepository(url, TempGitRepos.MAIN, GitCredentials.none());

        assertThatThrownBy(() -> writer.write(repo, new SetFileEdit("evt-1", "values.yaml", "x: 1\n")))
                .isInstanceOf(GitAuthenticationException.class)
                .hasMessageContaining(server.url("config.git"))
                .hasMessageNotContaining("inline-secret")
                .satisfies(e -> assertThat(stackTraceOf(e)).doesNotContain("inline-secret"));
    }

    @Test
    void shouldServeCloneWithoutAuthWhenNotConfigured() {
        try (GitHttpServer open = GitHttpServer.start(tmp.resolve("srv"))) {
            ConfigRepository repo = new ConfigRepository(open.url("config.git"), TempGitRepos.MAIN,
                    GitCredentials.none());

            assertThat(writer.write(repo, new SetFileEdit("evt-9", "values.yaml", "image:\n  tag: v9\n")))
                    .isInstanceOf(WriteOutcome.Committed.class);
            assertThat(open.servedCount()).isPositive();
        }
    }

    @Test
    void shouldPushEditsQueuedDuringAWriteTogetherAsSeparateCommits() throws Exception {
        Path passwordFile = Files.writeString(tmp.resolve("password"), PASSWORD);
        ConfigRepository repo = new ConfigRepository(server.url("config.git"), TempGitRepos.MAIN,
                GitCredentials.basic(USER, passwordFile));
        int followers = 5;
        ExecutorService pool = Executors.newFixedThreadPool(followers + 1);
        try {
            RepoEdit leader = new SetFileEdit("evt-leader", "leader.txt", "1\n");
            RepoEdit blockingLeader = new RepoEdit() {
                @Override
                public String eventId() {
                    return leader.eventId();
                }

                @Override
                public List<FileChange> apply(Path workTree) throws IOException {
                    // hold the repository until every follower is queued behind this write
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.queued(repo) == followers);
                    return leader.apply(workTree);
                }

                @Override
                public CommitMessage message(List<FileChange> changes) {
                    return leader.message(changes);
                }
            };
            Future<WriteOutcome> first = pool.submit(() -> writer.write(repo, blockingLeader));
            List<Future<WriteOutcome>> rest = new ArrayList<>();
            for (int i = 0; i < followers; i++) {
                RepoEdit edit = new SetFileEdit("evt-" + i, "f" + i + ".txt", i + "\n");
                rest.add(pool.submit(() -> writer.write(repo, edit)));
            }

            assertThat(first.get(60, TimeUnit.SECONDS)).isInstanceOf(WriteOutcome.Committed.class);
            Set<String> commitIds = new HashSet<>();
            for (Future<WriteOutcome> future : rest) {
                assertThat(future.get(60, TimeUnit.SECONDS)).isInstanceOfSatisfying(WriteOutcome.Committed.class,
                        c -> commitIds.add(c.commitId()));
            }
            assertThat(commitIds).hasSize(followers);
            assertThat(server.receivePackCount()).isEqualTo(2);
            assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(followers + 2);
            assertThat(TempGitRepos.trailerValues(remote, TempGitRepos.MAIN, "Relay-Event-Id"))
                    .containsExactlyInAnyOrder("evt-leader", "evt-0", "evt-1", "evt-2", "evt-3", "evt-4");
        } finally {
            pool.shutdownNow();
        }
    }

    private static String stackTraceOf(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
