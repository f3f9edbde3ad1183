package dev.relay.verify;

import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.CommitRecord;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.GitWriteProblems;
import dev.relay.shared.ledger.VerificationLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Whether a sync is a deployment the environment's ledger already records as verified. GitOps tools report every
 * reconcile, not every change (Flux's kustomize-controller sends {@code ReconciliationSucceeded} each interval and
 * notification-controller does not deduplicate), and they report Relay's own ledger commits as new revisions; such a
 * sync must change nothing and emit nothing. It is the same deployment when the newest ledger commit of the
 * environment verified the same image (reference and digest), was written for another event (a redelivery of the
 * verifying event answers as before), and the synced revision differs from the verified one only by commits that
 * leave the environment's manifest alone (ledger and hold commits, other environments' bumps). A bump and a rollback
 * back to the same image in between make it a new deployment. When either revision names no commit the cached clone
 * holds, the same image is taken as the same deployment.
 */
final class VerifiedDeployments {

    /** The ledger commit that already records this deployment, and the revision it was verified at. */
    record AlreadyVerified(String ledgerCommit, String verifiedRevision) {
    }

    private final GitOpsWriter writer;

    VerifiedDeployments(GitOpsWriter writer) {
        this.writer = writer;
    }

    Optional<AlreadyVerified> find(VerifyRequest request, ExpectedImage verified) {
        if (verified.digest() == null) {
            return Optional.empty();
        }
        ConfigRepository repo = request.pipeline().configRepo().toConfigRepository();
        String ledger = VerificationLedger.path(request.app(), request.environmentName());
        List<CommitRecord> newest = GitWriteProblems.call(() -> writer.history(repo, ledger, 1), ledger);
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        CommitRecord entry = newest.get(0);
        String reference = verified.image() + (verified.tag() == null ? "" : ":" + verified.tag());
        boolean sameImage = entry.trailer(VerificationLedger.VERIFIED_DIGEST).filter(verified.digest()::equals)
                .isPresent() && entry.trailer(VerificationLedger.VERIFIED_IMAGE).filter(reference::equals).isPresent();
        boolean sameEvent = entry.trailer(CommitMessage.EVENT_ID_TRAILER).filter(request.eventId()::equals)
                .isPresent();
        if (!sameImage || sameEvent) {
            return Optional.empty();
        }
        String verifiedRevision = entry.trailer(VerificationLedger.VERIFIED_REVISION).orElse(null);
        String verifiedCommit = verifiedRevision == null ? null : SyncSucceededReader.commitOf(verifiedRevision);
        if (!sameManifest(repo, request.environment().path(), verifiedCommit, request.commit())) {
            return Optional.empty();
        }
        return Optional.of(new AlreadyVerified(entry.id(), verifiedRevision));
    }

    /** Whether the newest commit touching {@code path} is the same as seen from {@code verified} and {@code synced}. */
    private boolean sameManifest(ConfigRepository repo, String path, String verified, String synced) {
        if (verified == null || synced == null || verified.equals(synced)) {
            return true;
        }
        Path gitDir = writer.cacheDir(repo).resolve(Constants.DOT_GIT);
        if (!Files.isDirectory(gitDir)) {
            return true;
        }
        try (Repository repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true)
                .build()) {
            Optional<LastChange> atVerified = lastChange(repository, verified, path);
            Optional<LastChange> atSynced = lastChange(repository, synced, path);
            return atVerified.isEmpty() || atSynced.isEmpty() || atVerified.equals(atSynced);
        } catch (IOException e) {
            return true;
        }
    }

    /** The newest commit that changes a path, seen from some commit; {@code commit} null when none in the history. */
    private record LastChange(ObjectId commit) {
    }

    /** The newest commit reachable from {@code start} changing {@code path}; empty when start is not in the clone. */
    private static Optional<LastChange> lastChange(Repository repository, String start, String path)
            throws IOException {
        ObjectId id;
        try {
            id = repository.resolve(start + "^{commit}");
        } catch (AmbiguousObjectException | IncorrectObjectTypeException e) {
            return Optional.empty();
        }
        if (id == null) {
            return Optional.empty();
        }
        try (RevWalk walk = new RevWalk(repository)) {
            walk.setTreeFilter(AndTreeFilter.create(PathFilter.create(path), TreeFilter.ANY_DIFF));
            walk.markStart(walk.parseCommit(id));
            RevCommit change = walk.next();
            return Optional.of(new LastChange(change == null ? null : change.getId().copy()));
        } catch (MissingObjectException e) {
            return Optional.empty();
        }
    }
}
