package dev.relay.shared.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Temporary Git repositories for tests: a bare "remote" seeded with an initial commit on {@code main}, plus
 * helpers to read it back and to push to it from another clone (to simulate a concurrent writer).
 */
public final class TempGitRepos {

    public static final String MAIN = "main";
    private static final PersonIdent SEEDER = new PersonIdent("Seeder", "seeder@example.com");

    private TempGitRepos() {
    }

    /** A bare repository {@code parent/name.git} whose {@code main} holds {@code files} (path → UTF-8 content). */
    public static Path createBare(Path parent, String name, Map<String, String> files) {
        return createBare(parent, name, work -> {
            for (Map.Entry<String, String> file : files.entrySet()) {
                write(work.resolve(file.getKey()), file.getValue());
            }
        });
    }

    /** A bare repository whose {@code main} holds a copy of {@code seedDir} (symlinks are kept as links). */
    public static Path createBare(Path parent, String name, Path seedDir) {
        return createBare(parent, name, work -> copyTree(seedDir, work));
    }

    /** {@code file://} URL of a repository. */
    public static String fileUrl(Path repository) {
        return repository.toAbsolutePath().toUri().toString();
    }

    /** Commits on {@code branch}, newest first. */
    public static List<RevCommit> log(Path bare, String branch) {
        try (Repository repository = Git.open(bare.toFile()).getRepository(); RevWalk walk = new RevWalk(repository)) {
            ObjectId head = repository.resolve(Constants.R_HEADS + branch);
            List<RevCommit> commits = new ArrayList<>();
            if (head == null) {
                return commits;
            }
            walk.markStart(walk.parseCommit(head));
            walk.forEach(commits::add);
            return commits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The values of trailer {@code key} over all commits of {@code branch}, newest first. */
    public static List<String> trailerValues(Path bare, String branch, String key) {
        return log(bare, branch).stream().flatMap(c -> c.getFooterLines(key).stream()).toList();
    }

    /** The content of {@code path} at the head of {@code branch}. */
    public static Optional<String> read(Path bare, String branch, String path) {
        try (Repository repository = Git.open(bare.toFile()).getRepository(); RevWalk walk = new RevWalk(repository)) {
            ObjectId head = repository.resolve(Constants.R_HEADS + branch);
            if (head == null) {
                return Optional.empty();
            }
            try (TreeWalk tree = TreeWalk.forPath(repository, path, walk.parseCommit(head).getTree())) {
                if (tree == null) {
                    return Optional.empty();
                }
                return Optional.of(new String(repository.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Commits {@code files} on top of {@code branch} from a fresh clone and pushes them, as another writer would.
     *
     * @return the new commit id
     */
    public static String pushFromOtherClone(Path bare, String branch, Map<String, String> files, String message) {
        Path work = tempDir("relay-other-clone");
        try (Git git = Git.cloneRepository().setURI(fileUrl(bare)).setDirectory(work.toFile()).setBranch(branch).call()) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                write(work.resolve(file.getKey()), file.getValue());
            }
            git.add().addFilepattern(".").call();
            RevCommit commit = git.commit().setMessage(message).setAuthor(SEEDER).setCommitter(SEEDER)
                    .setSign(false).call();
            git.push().setRefSpecs(new RefSpec(Constants.R_HEADS + branch + ":" + Constants.R_HEADS + branch)).call()
                    .forEach(result -> result.getRemoteUpdates().forEach(update -> {
                        if (update.getStatus() != org.eclipse.jgit.transport.RemoteRefUpdate.Status.OK) {
                            throw new IllegalStateException("seed push failed: " + update);
                        }
                    }));
            return commit.name();
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        } finally {
            deleteTree(work);
        }
    }

    @FunctionalInterface
    private interface Seeder {
        void seed(Path workTree) throws IOException;
    }

    private static Path createBare(Path parent, String name, Seeder seeder) {
        Path bare = parent.resolve(name + ".git");
        Path work = tempDir("relay-seed");
        try {
            Git.init().setBare(true).setInitialBranch(MAIN).setDirectory(bare.toFile()).call().close();
            try (Git git = Git.init().setInitialBranch(MAIN).setDirectory(work.toFile()).call()) {
                seeder.seed(work);
                git.add().addFilepattern(".").call();
                git.commit().setMessage("Initial commit").setAuthor(SEEDER).setCommitter(SEEDER).setSign(false)
                        .setAllowEmpty(true).call();
                git.push().setRemote(fileUrl(bare))
                        .setRefSpecs(new RefSpec(Constants.R_HEADS + MAIN + ":" + Constants.R_HEADS + MAIN)).call();
            }
            return bare;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(work);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), LinkOption.NOFOLLOW_LINKS,
                        StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a directory tree without following symlinks. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
