package dev.relay.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A cached working copy of an application's source, checked out at an exact commit with JGit: fetch the pushed ref
 * into {@code refs/remotes/origin/...} (tags into {@code refs/tags/...}), detach HEAD at the commit (the one an
 * annotated tag object points to, when that is what was pushed), reset and remove every untracked or ignored file, so
 * nothing of an earlier build leaks into this one.
 */
public final class SourceCheckout {

    /** The source could not be fetched, or the commit is not (yet) in it: a retry may succeed. */
    public static final class SourceUnavailableException extends RuntimeException {
        SourceUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The pushed id names an object that is neither a commit nor a tag of one: no retry can build it. */
    public static final class NotACommitException extends RuntimeException {
        NotACommitException(String message) {
            super(message);
        }
    }

    private SourceCheckout() {
    }

    /**
     * A working copy at a commit.
     *
     * @param commit the commit checked out: the pushed id, or the commit an annotated tag object points to when the
     *               pushed id was the tag object (GitHub's and Gitea's {@code after} of an annotated tag)
     */
    public record Checkout(Path dir, String commit) {
    }

    public static Checkout checkout(Path dir, String cloneUrl, String shownUrl, GitRef ref, String pushed,
            Duration timeout) {
        try {
            Files.createDirectories(dir);
            try (Git git = open(dir, cloneUrl)) {
                String target = ref.isBranch() ? "refs/remotes/origin/" + ref.name() : ref.fullName();
                git.fetch().setRemote("origin").setTimeout((int) Math.max(1, timeout.toSeconds()))
                        .setRefSpecs(new RefSpec("+" + ref.fullName() + ":" + target))
                        .setTagOpt(org.eclipse.jgit.transport.TagOpt.NO_TAGS)
                        .call();
                ObjectId id = peeledCommit(git.getRepository(), ObjectId.fromString(pushed)).orElseThrow(() ->
                        new SourceUnavailableException("commit " + pushed + " is not in " + ref + " of " + shownUrl
                                + " (not pushed yet, or rewritten)", null));
                String commit = id.name();
                git.checkout().setName(commit).setForced(true).call();
                git.reset().setMode(ResetCommand.ResetType.HARD).setRef(commit).call();
                git.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
                ObjectId head = git.getRepository().resolve("HEAD");
                if (!id.equals(head)) {
                    throw new IllegalStateException("checkout of " + commit + " left HEAD at " + head);
                }
                return new Checkout(dir, commit);
            }
        } catch (GitAPIException e) {
            throw new SourceUnavailableException("cannot fetch " + ref + " of " + shownUrl + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SourceUnavailableException("cannot prepare the checkout of " + shownUrl + " in " + dir + ": " + e,
                    e);
        }
    }

    private static Git open(Path dir, String cloneUrl) throws IOException, GitAPIException {
        Git git = Files.isDirectory(dir.resolve(".git")) ? Git.open(dir.toFile())
                : Git.init().setDirectory(dir.toFile()).call();
        StoredConfig config = git.getRepository().getConfig();
        if (!cloneUrl.equals(config.getString("remote", "origin", "url"))) {
            config.setString("remote", "origin", "url", cloneUrl);
            config.setStringList("remote", "origin", "fetch", List.of("+refs/heads/*:refs/remotes/origin/*"));
            config.save();
        }
        return git;
    }

    /** The committer time of the commit checked out in {@code dir}; empty when it cannot be read. */
    public static Optional<Instant> commitTime(Path dir) {
        try (Git git = Git.open(dir.toFile()); RevWalk walk = new RevWalk(git.getRepository())) {
            ObjectId head = git.getRepository().resolve("HEAD");
            return head == null ? Optional.empty()
                    : Optional.of(Instant.ofEpochSecond(walk.parseCommit(head).getCommitTime()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The commit {@code id} names, peeling annotated tags; empty when the object is not in the repository. */
    private static Optional<ObjectId> peeledCommit(Repository repository, ObjectId id) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            return Optional.of(walk.parseCommit(id).getId());
        } catch (MissingObjectException e) {
            return Optional.empty();
        } catch (IncorrectObjectTypeException e) {
            throw new NotACommitException(id.name() + " is not a commit (nor an annotated tag of one)");
        }
    }
}
