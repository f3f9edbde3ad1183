package dev.relay.shared.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.shared.testing.TempGitRepos;

class RepoPathEscapeTest {

    @TempDir
    Path tmp;

    private Path outside;
    private Path remote;
    private ConfigRepository repo;
    private GitOpsWriter writer;

    @BeforeEach
    void setUp() throws IOException {
        outside = Files.createDirectories(tmp.resolve("outside"));
        Path seed = Files.createDirectories(tmp.resolve("seed"));
        Files.writeString(seed.resolve("values.yaml"), "image:\n  tag: v1\n");
        Files.createDirectories(seed.resolve("apps"));
        Files.createSymbolicLink(seed.resolve("apps/escape"), outside);
        Files.createSymbolicLink(seed.resolve("apps/inside"), Path.of("../values.yaml"));
        remote = TempGitRepos.createBare(tmp, "config", seed);
        repo = new ConfigRepository(TempGitRepos.fileUrl(remote), TempGitRepos.MAIN, GitCredentials.none());
        writer = new GitOpsWriter(GitWriterSettings.defaults(tmp.resolve("cache")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "apps/../../x", "/etc/passwd", "apps/escape/values.yaml", "apps/escape",
            ".git/config", "", "a\u0000b"})
    void shouldRejectEditResolvingOutsideTheWorkTree(String path) {
        assertThatThrownBy(() -> writer.write(repo, new SetFileEdit("evt-1", path, "pwned\n")))
                .isInstanceOf(InvalidRepoPathException.class);

        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(1);
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void shouldRejectReportedChangeOutsideTheWorkTreeEvenIfEditDidNotCheck() {
        SetFileEdit inner = new SetFileEdit("evt-1", "values.yaml", "image:\n  tag: v2\n");
        RepoEdit careless = new Wrapped(inner) {
            @Override
            public List<FileChange> apply(Path workTree) throws IOException {
                inner.apply(workTree);
                return List.of(new FileChange("../../etc/passwd", null, "x"));
            }
        };

        assertThatThrownBy(() -> writer.write(repo, careless)).isInstanceOf(InvalidRepoPathException.class);
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(1);
    }

    @Test
    void shouldRejectNewSymlinkPointingOutside() {
        SetFileEdit inner = new SetFileEdit("evt-1", "values.yaml", "image:\n  tag: v2\n");
        RepoEdit linker = new Wrapped(inner) {
            @Override
            public List<FileChange> apply(Path workTree) throws IOException {
                Files.createSymbolicLink(workTree.resolve("leak"), outside);
                return inner.apply(workTree);
            }
        };

        assertThatThrownBy(() -> writer.write(repo, linker)).isInstanceOf(InvalidRepoPathException.class);
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(1);
    }

    @Test
    void shouldKeepWorkingAfterRejectedEdit() {
        assertThatThrownBy(() -> writer.write(repo, new SetFileEdit("evt-1", "../x", "x")))
                .isInstanceOf(InvalidRepoPathException.class);

        assertThat(writer.write(repo, new SetFileEdit("evt-2", "values.yaml", "image:\n  tag: v2\n")))
                .isInstanceOf(WriteOutcome.Committed.class);
        assertThat(TempGitRepos.log(remote, TempGitRepos.MAIN)).hasSize(2);
    }

    @Test
    void shouldResolvePathsInsideTheWorkTree(@TempDir Path workTree) throws IOException {
        Files.createDirectories(workTree.resolve("a"));
        Files.createSymbolicLink(workTree.resolve("a/link"), workTree.resolve("a"));

        assertThat(GitOpsWriter.resolveInside(workTree, "a/b.yaml")).isEqualTo(workTree.toRealPath().resolve("a/b.yaml"));
        assertThat(GitOpsWriter.resolveInside(workTree, "./a/link/c.yaml")).endsWithRaw(Path.of("a/link/c.yaml"));
        assertThat(GitOpsWriter.resolveInside(workTree, "new/dir/file.yaml")).startsWithRaw(workTree.toRealPath());
    }

    private abstract static class Wrapped implements RepoEdit {
        private final RepoEdit inner;

        Wrapped(RepoEdit inner) {
            this.inner = inner;
        }

        @Override
        public String eventId() {
            return inner.eventId();
        }

        @Override
        public CommitMessage message(List<FileChange> changes) {
            return inner.message(changes);
        }
    }
}
