package dev.relay.verify;

import dev.relay.shared.gitops.CommitRecord;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.GitWriteProblems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * What Git says should run: the environment's manifest at the synced revision when the writer's cached clone holds
 * that commit (it has just been fetched by {@link GitOpsWriter#readFile}), else at the branch head, saying so in
 * {@link ExpectedImage#source()}. Only object-database reads touch the clone directly (safe next to a concurrent
 * writer); the work tree belongs to the writer.
 */
public final class DesiredImages {

    static final String IMAGE_TRAILER = "Relay-Image";
    static final String TRACE_TRAILER = "Relay-Trace";
    static final String TRACEPARENT_TRAILER = "Relay-Traceparent";
    static final String DIGEST_TRAILER = "Relay-Image-Digest";
    private static final int BUMP_HISTORY = 50;

    private final GitOpsWriter writer;

    public DesiredImages(GitOpsWriter writer) {
        this.writer = writer;
    }

    public ExpectedImage expected(VerifyRequest request) {
        ConfigRepository repo = request.pipeline().configRepo().toConfigRepository();
        String path = request.environment().path();
        String head = git(() -> writer.readFile(repo, path), repo).orElseThrow(() ->
                EventRejectedException.unprocessable("manifest-missing", "The environment's manifest is missing",
                        path + " does not exist on branch " + repo.branch() + " of " + repo.redactedUrl() + "."));
        Snapshot snapshot = atRevision(repo, path, request.commit());
        String text;
        String source;
        if (snapshot.content() != null) {
            text = snapshot.content();
            source = path + " at revision " + shortId(snapshot.revision());
        } else {
            text = head;
            source = path + " at the head of " + repo.branch()
                    + (snapshot.head() == null ? "" : " (" + shortId(snapshot.head()) + ")")
                    + "; revision " + request.revision() + " " + snapshot.why();
        }
        try {
            return ManifestImages.read(text, request.pipeline(), request.environment(), source);
        } catch (ManifestImages.UnreadableManifestException e) {
            throw new NoImageNamedException(e.getMessage());
        }
    }

    /**
     * The manifest does not say which image should run (e.g. a seed overlay without an {@code images:} entry, which
     * Relay's first bump adds): there is nothing to verify, which is an outcome, not a bad event.
     */
    public static final class NoImageNamedException extends RuntimeException {
        NoImageNamedException(String message) {
            super(message);
        }
    }

    /**
     * The digest the bump of {@code image:tag} recorded ({@code Relay-Image-Digest} of the newest commit touching the
     * manifest whose {@code Relay-Image} is that reference), for manifests that set only a tag.
     */
    public Optional<String> bumpedDigest(VerifyRequest request, ExpectedImage expected) {
        return bumpTrailer(request, expected, DIGEST_TRAILER).filter(d -> d.matches("sha256:[a-f0-9]{64}"));
    }

    /**
     * The trace context the bump that wrote {@code image:tag} into the manifest recorded: its {@code Relay-Trace}, the
     * chain this sync belongs to, so that verify, promotion and every later commit carry the trace of the change that
     * started it; and its {@code Relay-Traceparent} as written (validated where it is used), the W3C trace to continue.
     */
    public BumpTrace bumpTrace(VerifyRequest request, ExpectedImage expected) {
        return bumpCommit(request, expected).map(commit -> new BumpTrace(
                        commit.trailer(TRACE_TRAILER).filter(t -> t.matches("[A-Za-z0-9._:@/+-]{1,256}")).orElse(null),
                        commit.trailer(TRACEPARENT_TRAILER).orElse(null)))
                .orElse(new BumpTrace(null, null));
    }

    /** {@code relaytrace} and {@code traceParent} of a bump commit; each null when the commit has none. */
    public record BumpTrace(String relaytrace, String traceParent) {

        public Optional<String> chain() {
            return Optional.ofNullable(relaytrace);
        }
    }

    private Optional<CommitRecord> bumpCommit(VerifyRequest request, ExpectedImage expected) {
        if (expected.tag() == null) {
            return Optional.empty();
        }
        ConfigRepository repo = request.pipeline().configRepo().toConfigRepository();
        String reference = expected.image() + ":" + expected.tag();
        return git(() -> writer.history(repo, request.environment().path(), BUMP_HISTORY), repo).stream()
                .filter(commit -> commit.trailer(IMAGE_TRAILER).filter(reference::equals).isPresent())
                .findFirst();
    }

    private Optional<String> bumpTrailer(VerifyRequest request, ExpectedImage expected, String trailer) {
        if (expected.tag() == null) {
            return Optional.empty();
        }
        ConfigRepository repo = request.pipeline().configRepo().toConfigRepository();
        String reference = expected.image() + ":" + expected.tag();
        return git(() -> writer.history(repo, request.environment().path(), BUMP_HISTORY), repo).stream()
                .filter(commit -> commit.trailer(IMAGE_TRAILER).filter(reference::equals).isPresent())
                .map(commit -> commit.trailer(trailer))
                .flatMap(Optional::stream)
                .findFirst();
    }

    /** The file at {@code commit} in the cached clone; {@code content} null with the reason when unreadable. */
    record Snapshot(String content, String revision, String head, String why) {
    }

    Snapshot atRevision(ConfigRepository repo, String path, String commit) {
        Path gitDir = writer.cacheDir(repo).resolve(Constants.DOT_GIT);
        if (!Files.isDirectory(gitDir)) {
            return new Snapshot(null, null, null, "could not be read (no cached clone)");
        }
        try (Repository repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
             RevWalk walk = new RevWalk(repository)) {
            ObjectId headId = repository.resolve(Constants.R_REMOTES + "origin/" + repo.branch());
            String head = headId == null ? null : headId.name();
            if (commit == null) {
                return new Snapshot(null, null, head, "names no Git commit");
            }
            RevCommit revision;
            try {
                ObjectId id = repository.resolve(commit + "^{commit}");
                revision = id == null ? null : walk.parseCommit(id);
            } catch (org.eclipse.jgit.errors.MissingObjectException
                     | org.eclipse.jgit.errors.IncorrectObjectTypeException
                     | org.eclipse.jgit.errors.AmbiguousObjectException e) {
                revision = null;
            }
            if (revision == null) {
                return new Snapshot(null, null, head, "is not in the cached history of " + repo.branch());
            }
            try (TreeWalk tree = TreeWalk.forPath(repository, path, revision.getTree())) {
                if (tree == null) {
                    return new Snapshot(null, null, head, "has no " + path);
                }
                return new Snapshot(new String(repository.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8),
                        revision.name(), head, null);
            }
        } catch (IOException | RuntimeException e) {
            return new Snapshot(null, null, null, "could not be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    private static <T> T git(Supplier<T> call, ConfigRepository repo) {
        return GitWriteProblems.call(call, repo.redactedUrl());
    }
}
