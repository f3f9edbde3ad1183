package dev.relay.shared.dora;

import dev.relay.shared.gitops.CommitRecord;
import dev.relay.shared.gitops.ConfigRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.CloneCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Every commit of one branch of a config repository, newest first, read with JGit: a directory (a bare repository or
 * a work tree) in place, a URL cloned bare into a temporary directory that is deleted afterwards.
 */
public final class ConfigHistory {

    private ConfigHistory() {
    }

    /**
     * @param location a directory or a clone URL
     * @param branch   the branch, or null for the repository's HEAD
     */
    public static List<CommitRecord> read(String location, String branch) throws IOException {
        if (!location.contains("://")) {
            Path local = Path.of(location);
            if (!Files.isDirectory(local)) {
                throw new IOException("no repository at " + location);
            }
            try (Repository repository = open(local)) {
                return walk(repository, branch, location);
            }
        }
        String shown = new ConfigRepository(location, "-", null).redactedUrl();
        Path temp = Files.createTempDirectory("relay-dora-");
        CloneCommand clone = Git.cloneRepository().setURI(location).setBare(true).setDirectory(temp.toFile());
        if (branch != null) {
            clone.setBranch(branch);
        }
        try (Git git = clone.call()) {
            return walk(git.getRepository(), branch, shown);
        } catch (GitAPIException e) {
            throw new IOException("cannot clone " + shown + ": " + e.getMessage(), e);
        } finally {
            delete(temp);
        }
    }

    private static Repository open(Path dir) throws IOException {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true);
        if (Files.exists(dir.resolve(Constants.DOT_GIT))) {
            builder.setWorkTree(dir.toFile());
        } else {
            builder.setGitDir(dir.toFile());
        }
        return builder.setup().build();
    }

    private static List<CommitRecord> walk(Repository repository, String branch, String shown) throws IOException {
        ObjectId head = repository.resolve(branch == null ? Constants.HEAD : branch);
        if (head == null && branch != null) {
            head = repository.resolve(Constants.R_REMOTES + "origin/" + branch);
        }
        if (head == null) {
            throw new IOException("branch " + (branch == null ? "HEAD" : branch) + " not found in " + shown);
        }
        List<CommitRecord> commits = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repository)) {
            walk.markStart(walk.parseCommit(head));
            for (RevCommit commit : walk) {
                commits.add(CommitRecord.of(commit));
            }
        }
        return commits;
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
