package dev.relay.shared.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.relay.shared.testing.TempGitRepos;
import dev.relay.shared.yaml.KustomizeImageSetter;
import dev.relay.shared.yaml.YamlEdit;

class GitOpsWriterTest {

    private static final String KUSTOMIZATION = "apps/web/kustomization.yaml";

    @TempDir
    Path tmp;

    private Path remote;
    private ConfigRepository repo;
    private GitOpsWriter writer;

    @BeforeEach
    void setUp() {
        remote = TempGitRepos.createBare(tmp, "config", Map.of(
                KUSTOMIZATION, "images:\n- name: ghcr.io/acme/web # web\n  newTag: v1\n",
                "README.md", "config repo\n"));
        repo = new ConfigRepository(TempGitRepos.fileUrl(remote), TempGitRepos.MAIN, GitCredentials.none());
        writer = new GitOpsWriter(GitWriterSettings.defaults(tmp.resolve("cache"))
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(10)));
    }

    @Test
    void shouldCommitAndPushWithTrailers() {
        WriteOutcome outcome = writer.write(repo, new BumpEdit("evt-1", "v2"));

        assertThat(outcome).isInstanceOf(WriteOutcome.Committed.class);
        WriteOutcome.Committed committed = (WriteOutcome.Committed) outcome;
        assertThat(committed.attempts()).isEqualTo(1);
        assertThat(committed.changes()).containsExactly(new FileChange(KUSTOMIZATION, "v1", "v2"));
        List<RevCommit> log = TempGitRepos.log(remote, TempGitRepos.MAIN);
        assertThat(log).hasSize(2);
        RevCommit head = log.get(0);
        assertThat(head.name()).isEqualTo(committed.commitId());
        assertThat(head.getFullMessage()).isEqualTo(
                "Bump ghcr.io/acme/web to v2\n\nv1 -> v2\n\nRelay-Image: ghcr.io/acme/web\nRelay-Event-Id: evt-1\n");
        assertThat(head.getFooterLines("Relay-Event-Id")).containsExactly("evt-1");
        assertThat(head.getAuthorIdent().getName()).isEqualTo("Relay");
        assertThat(head.getAuthorIdent().getEmailAddress()).isEqualTo("relay@relay.dev");
        assertThat(head.getCommitterIdent().getName()).isEqualTo("Relay");
        assertThat(TempGitRepos.read(remote, TempGitRepos.MAIN, KUSTOMIZATION))
                .hasValue("images:\n- name: ghcr.io/acme/web # web\n  newTag: v2\n");
    }

    @Test
    void shouldReturnAlreadyAppliedForSameEventId() {
        WriteOutcome.Committed first = (WriteOutcome.Committed) writer.write(repo, new BumpEdit("evt-1", "v2"));

        WriteOutcome second = writer.write(repo, new BumpEdit("evt-1", "v3"));

        assertThat(second).isEqualTo(new WriteOutcome.AlreadyApplied(first.commitId()));
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(2);
    }

    @Test
    void shouldFindEventAppliedFromAnotherCacheDirectory() {
        WriteOutcome.Committed first = (WriteOutcome.Committed) writer.write(repo, new BumpEdit("evt-1", "v2"));
        GitOpsWriter other = new GitOpsWriter(GitWriterSettings.defaults(tmp.resolve("other-cache")));

        assertThat(other.write(repo, new BumpEdit("evt-1", "v2")))
                .isEqualTo(new WriteOutcome.AlreadyApplied(first.commitId()));
    }

    @Test
    void shouldReturnNoChangeWhenEditReturnsEmpty() {
        WriteOutcome outcome = writer.write(repo, new BumpEdit("evt-1", "v1"));

        assertThat(outcome).isEqualTo(new WriteOutcome.NoChange());
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(1);
    }

    @Test
    void shouldRetryOnTopOfACommitPushedBetweenFetchAndPush() {
        AtomicInteger calls = new AtomicInteger();
        String[] otherCommit = new String[1];
        RepoEdit racing = new BumpEdit("evt-race", "v2") {
            @Override
            public List<FileChange> apply(Path workTree) throws IOException {
                if (calls.incrementAndGet() == 1) {
                    otherCommit[0] = TempGitRepos.pushFromOtherClone(remote, TempGitRepos.MAIN,
                            Map.of("README.md", "changed by someone else\n"), "Other writer");
                }
                return super.apply(workTree);
            }
        };

        WriteOutcome outcome = writer.write(repo, racing);

        assertThat(outcome).isInstanceOfSatisfying(WriteOutcome.Committed.class, c -> assertThat(c.attempts()).isEqualTo(2));
        assertThat(calls).hasValue(2);
        List<RevCommit> log = TempGitRepos.log(remote, TempGitRepos.MAIN);
        assertThat(log).hasSize(3);
        assertThat(log.get(0).name()).isEqualTo(((WriteOutcome.Committed) outcome).commitId());
        assertThat(log.get(0).getParent(0).name()).isEqualTo(otherCommit[0]);
        assertThat(TempGitRepos.read(remote, TempGitRepos.MAIN, "README.md")).hasValue("changed by someone else\n");
        assertThat(TempGitRepos.read(remote, TempGitRepos.MAIN, KUSTOMIZATION).orElseThrow()).contains("newTag: v2");
    }

    @Test
    void shouldGiveUpWithRetryableExceptionWhenRemoteKeepsMoving() {
        GitOpsWriter impatient = new GitOpsWriter(GitWriterSettings.defaults(tmp.resolve("cache2"))
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(2)).withMaxAttempts(3));
        AtomicInteger calls = new AtomicInteger();
        RepoEdit alwaysRacing = new BumpEdit("evt-busy", "v2") {
            @Override
            public List<FileChange> apply(Path workTree) throws IOException {
                TempGitRepos.pushFromOtherClone(remote, TempGitRepos.MAIN,
                        Map.of("README.md", "busy " + calls.incrementAndGet() + "\n"), "Other writer");
                return super.apply(workTree);
            }
        };

        assertThatThrownBy(() -> impatient.write(repo, alwaysRacing))
                .isInstanceOf(RetryableGitException.class)
                .hasMessageContaining("3 attempts");
        assertThat(calls).hasValue(3);
        assertThat(TempGitRepos.trailerValues(remote, TempGitRepos.MAIN, "Relay-Event-Id")).isEmpty();
    }

    @Test
    void shouldCountRetriedAndExhaustedPushesWithoutRepositoryLabels() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        GitOpsWriter counted = new GitOpsWriter(GitWriterSettings.defaults(tmp.resolve("cache3"))
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(2)).withMaxAttempts(3),
                new MicrometerGitWriteListener(registry, "on-scan-pass-bump"));
        RepoEdit alwaysRacing = new BumpEdit("evt-busy-metrics", "v2") {
            @Override
            public List<FileChange> apply(Path workTree) throws IOException {
                TempGitRepos.pushFromOtherClone(remote, TempGitRepos.MAIN,
                        Map.of("README.md", "busy " + System.nanoTime() + "\n"), "Other writer");
                return super.apply(workTree);
            }
        };

        assertThatThrownBy(() -> counted.write(repo, alwaysRacing)).isInstanceOf(RetryableGitException.class);

        // attempts 1 and 2 were rejected and retried; attempt 3 was rejected and gave up
        assertThat(registry.get("relay.git.push.retries").tag("function", "on-scan-pass-bump").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("relay.git.push.exhausted").counter().count()).isEqualTo(1.0);
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags())
                .extracting(io.micrometer.core.instrument.Tag::getKey).containsExactly("function"));

        counted.write(repo, new BumpEdit("evt-calm-metrics", "v3"));
        assertThat(registry.get("relay.git.push.retries").counter().count()).isEqualTo(2.0);
        assertThat(registry.get("relay.git.push.exhausted").counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldIgnoreAListenerThatThrows() {
        GitOpsWriter noisy = new GitOpsWriter(GitWriterSettings.defaults(tmp.resolve("cache4"))
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(2)),
                new GitWriteListener() {
                    @Override
                    public void pushRejected(ConfigRepository r) {
                        throw new IllegalStateException("listener bug");
                    }
                });
        AtomicInteger calls = new AtomicInteger();
        RepoEdit racingOnce = new BumpEdit("evt-race-listener", "v2") {
            @Override
            public List<FileChange> apply(Path workTree) throws IOException {
                if (calls.incrementAndGet() == 1) {
                    TempGitRepos.pushFromOtherClone(remote, TempGitRepos.MAIN,
                            Map.of("README.md", "changed by someone else\n"), "Other writer");
                }
                return super.apply(workTree);
            }
        };

        assertThat(noisy.write(repo, racingOnce)).isInstanceOfSatisfying(WriteOutcome.Committed.class,
                c -> assertThat(c.attempts()).isEqualTo(2));
    }

    @Test
    void shouldResyncCacheWithRemoteBetweenWrites() {
        writer.write(repo, new BumpEdit("evt-1", "v2"));
        TempGitRepos.pushFromOtherClone(remote, TempGitRepos.MAIN, Map.of(KUSTOMIZATION,
                "images:\n- name: ghcr.io/acme/web # web\n  newTag: v7\n"), "Manual bump");

        WriteOutcome outcome = writer.write(repo, new BumpEdit("evt-2", "v8"));

        assertThat(outcome).isInstanceOfSatisfying(WriteOutcome.Committed.class,
                c -> assertThat(c.changes()).containsExactly(new FileChange(KUSTOMIZATION, "v7", "v8")));
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(4);
    }

    @Test
    void shouldRecloneCorruptCache() throws IOException {
        writer.write(repo, new BumpEdit("evt-1", "v2"));
        Path cache = writer.cacheDir(repo);
        Files.writeString(cache.resolve(".git/HEAD"), "garbage");
        Files.writeString(cache.resolve(".git/config"), "[[[not a config");

        WriteOutcome outcome = writer.write(repo, new BumpEdit("evt-2", "v3"));

        assertThat(outcome).isInstanceOf(WriteOutcome.Committed.class);
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(3);
    }

    @Test
    void shouldRecloneACacheWhoseBranchAKilledProcessLeftMissing() throws IOException {
        writer.write(repo, new BumpEdit("evt-1", "v2"));
        Path cache = writer.cacheDir(repo);
        String head = Files.readString(cache.resolve(".git/refs/remotes/origin/main")).strip();
        Files.writeString(cache.resolve(".git/HEAD"), head + "\n");
        Files.delete(cache.resolve(".git/refs/heads/main"));

        WriteOutcome outcome = writer.write(repo, new BumpEdit("evt-2", "v3"));

        assertThat(outcome).isInstanceOf(WriteOutcome.Committed.class);
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(3);
    }

    @Test
    void shouldRemoveUserinfoFromMessagesWhenRemoteIsUnreachable() {
        ConfigRepository missing = new ConfigRepository("http://bob:s3cret@127.0.0.1:1/none.git", "main",
                GitCredentials.none());

        assertThatThrownBy(() -> writer.write(missing, new BumpEdit("evt-1", "v2")))
                .isInstanceOf(RetryableGitException.class)
                .hasMessageContaining("http://127.0.0.1:1/none.git")
                .hasMessageNotContaining("s3cret")
                .hasMessageNotContaining("bob");
    }

    @Test
    void shouldWriteFiftyConcurrentEditsExactlyOnce() throws Exception {
        List<RepoEdit> edits = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            edits.add(new SetFileEdit("evt-" + i, "apps/app-" + i + "/tag.txt", "v" + i + "\n"));
        }

        List<WriteOutcome> first = writeConcurrently(edits);

        assertThat(first).allMatch(WriteOutcome.Committed.class::isInstance);
        List<RevCommit> log = TempGitRepos.log(remote, TempGitRepos.MAIN);
        assertThat(log).hasSize(51);
        List<String> eventIds = TempGitRepos.trailerValues(remote, TempGitRepos.MAIN, "Relay-Event-Id");
        assertThat(eventIds).hasSize(50).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(edits.stream().map(RepoEdit::eventId).toList());
        for (int i = 0; i < 50; i++) {
            assertThat(TempGitRepos.read(remote, TempGitRepos.MAIN, "apps/app-" + i + "/tag.txt")).hasValue("v" + i + "\n");
        }

        List<WriteOutcome> second = writeConcurrently(edits);

        assertThat(second).allMatch(WriteOutcome.AlreadyApplied.class::isInstance);
        for (int i = 0; i < 50; i++) {
            assertThat(((WriteOutcome.AlreadyApplied) second.get(i)).commitId())
                    .isEqualTo(((WriteOutcome.Committed) first.get(i)).commitId());
        }
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(51);
    }

    private List<WriteOutcome> writeConcurrently(List<RepoEdit> edits) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<WriteOutcome>> futures = new ArrayList<>();
            for (RepoEdit edit : edits) {
                futures.add(pool.submit(() -> writer.write(repo, edit)));
            }
            List<WriteOutcome> outcomes = new ArrayList<>();
            for (Future<WriteOutcome> future : futures) {
                outcomes.add(future.get(120, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Bumps the web image in the kustomization with the real setter. */
    static class BumpEdit implements RepoEdit {
        private final String eventId;
        private final String tag;

        BumpEdit(String eventId, String tag) {
            this.eventId = eventId;
            this.tag = tag;
        }

        @Override
        public String eventId() {
            return eventId;
        }

        @Override
        public List<FileChange> apply(Path workTree) throws IOException {
            Path file = GitOpsWriter.resolveInside(workTree, KUSTOMIZATION);
            YamlEdit edit = KustomizeImageSetter.set(Files.readString(file, StandardCharsets.UTF_8),
                    "ghcr.io/acme/web", tag, null);
            if (!edit.changed()) {
                return List.of();
            }
            Files.writeString(file, edit.text(), StandardCharsets.UTF_8);
            return List.of(new FileChange(KUSTOMIZATION, edit.oldValue(), edit.newValue()));
        }

        @Override
        public CommitMessage message(List<FileChange> changes) {
            java.util.LinkedHashMap<String, String> trailers = new java.util.LinkedHashMap<>();
            trailers.put("Relay-Image", "ghcr.io/acme/web");
            return new CommitMessage("Bump ghcr.io/acme/web to " + tag,
                    changes.get(0).oldValue() + " -> " + changes.get(0).newValue(), trailers);
        }
    }
}
