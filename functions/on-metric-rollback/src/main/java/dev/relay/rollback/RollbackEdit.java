package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.RepoEdit;
import dev.relay.shared.ledger.RollbackHolds;
import dev.relay.shared.ledger.VerifiedImage;
import dev.relay.shared.manifest.EnvironmentManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The revert of one environment to its last verified image, plus the hold of the bad digest, as one commit. Decided
 * on the head it is applied to (and decided again after a rejected push): which image is bad, whether it is still
 * deployed or already held, and which verified image replaces it.
 */
final class RollbackEdit implements RepoEdit {

    static final String REASON_TRAILER = "Relay-Rollback-Reason";
    static final String ROLLED_BACK_DIGEST_TRAILER = "Relay-Rolled-Back-Digest";

    /** What the last {@link #apply} decided. */
    sealed interface Decision permits Revert, Skip {
        String fromImage();
    }

    /** Set {@code to} into the manifest, hold {@code badDigest} (when known). */
    record Revert(String fromTag, String badDigest, VerifiedImage to, String fromImage, String toImage)
            implements Decision {
    }

    record Skip(String code, String reason, String fromImage) implements Decision {
    }

    private final RollbackRequest request;
    private final List<VerifiedImage> verified;
    private final Clock clock;
    private volatile Decision decision;

    /**
     * @param verified the environment's verified images, newest first ({@code VerificationLedger.history})
     */
    RollbackEdit(RollbackRequest request, List<VerifiedImage> verified, Clock clock) {
        this.request = request;
        this.verified = List.copyOf(verified);
        this.clock = clock;
    }

    @Override
    public String eventId() {
        return request.eventId();
    }

    Decision decision() {
        return decision;
    }

    @Override
    public List<FileChange> apply(Path workTree) throws IOException {
        decision = decide(workTree);
        if (!(decision instanceof Revert revert)) {
            return List.of();
        }
        List<FileChange> changes = new ArrayList<>();
        new EnvironmentManifest(request.pipeline(), request.environment())
                .set(workTree, revert.to().tag(), revert.to().digest())
                .ifPresent(changes::add);
        if (revert.badDigest() != null && RollbackHolds.hold(workTree, request.app(), environment(),
                revert.badDigest(), holdReason(), clock.instant())) {
            changes.add(new FileChange(RollbackHolds.path(request.app(), environment()), null, revert.badDigest()));
        }
        return changes;
    }

    private Decision decide(Path workTree) throws IOException {
        RelayProperties.Pipeline pipeline = request.pipeline();
        String manifest = Files.readString(GitOpsWriter.resolveInside(workTree, request.environment().path()),
                StandardCharsets.UTF_8);
        DeployedImage current = DeployedImage.read(manifest, pipeline, request.environment());
        Set<String> held = RollbackHolds.held(workTree, request.app(), environment());
        String where = request.app() + "/" + environment();
        String badDigest;
        String badTag;
        if (request.cause() == RollbackCause.VERIFY_FAILED) {
            badDigest = request.badDigest();
            badTag = request.badTag();
            String from = reference(badTag, badDigest);
            if (held.contains(badDigest)) {
                return alreadyRolledBack(badDigest + " is already held out of " + where, from);
            }
            boolean deployed = current.digest() != null ? current.digest().equals(badDigest)
                    : badTag == null || badTag.equals(current.tag());
            if (!deployed) {
                return alreadyRolledBack(where + " no longer deploys " + from + " (the manifest holds "
                        + reference(current.tag(), current.digest()) + ")", from);
            }
        } else {
            badTag = current.tag();
            badDigest = current.digest() != null ? current.digest() : digestOfTag(badTag).orElse(null);
            String from = reference(badTag, badDigest);
            Optional<RevCommit> lastChange = lastChangeOfManifest(workTree);
            if (lastChange.isPresent() && isRollbackHere(lastChange.get())) {
                return alreadyRolledBack(where + " runs " + from + " since rollback "
                        + lastChange.get().abbreviate(12).name() + "; Relay does not roll back a rollback (a new "
                        + "image or a person changes it)", from);
            }
            if (badDigest != null && held.contains(badDigest)) {
                return alreadyRolledBack(badDigest + " is already held out of " + where, from);
            }
        }
        String from = reference(badTag, badDigest);
        Optional<VerifiedImage> good = verified.stream()
                .filter(v -> v.tag() != null && !v.tag().isBlank())
                .filter(v -> badDigest == null || !v.digest().equals(badDigest))
                .filter(v -> badDigest != null || !Objects.equals(v.tag(), badTag))
                .filter(v -> current.digest() != null || !Objects.equals(v.tag(), current.tag()))
                .filter(v -> !held.contains(v.digest()))
                .findFirst();
        if (good.isEmpty()) {
            return new Skip("no-verified-image", "no verified image other than "
                    + (badDigest != null ? badDigest : reference(badTag, null)) + " is recorded for " + where
                    + (held.isEmpty() ? "" : " that is not held") + " (" + verified.size()
                    + " verification(s) in " + "the config repository)", from);
        }
        VerifiedImage to = good.get();
        return new Revert(badTag, badDigest, to, from, reference(to.tag(), to.digest()));
    }

    /**
     * Whether {@code commit} is a rollback of this app and environment (checked by its trailers, so that the boundary
     * commit of a shallow clone, which seems to touch every file, does not count unless it is one).
     */
    private boolean isRollbackHere(RevCommit commit) {
        return !commit.getFooterLines(REASON_TRAILER).isEmpty()
                && commit.getFooterLines("Relay-App").contains(request.app())
                && commit.getFooterLines("Relay-Environment").contains(environment());
    }

    private Skip alreadyRolledBack(String why, String from) {
        return new Skip("already-rolled-back", "already rolled back: " + why, from);
    }

    /** The digest the ledger recorded for {@code tag} (an unpinned manifest names only the tag). */
    private Optional<String> digestOfTag(String tag) {
        return verified.stream().filter(v -> tag != null && tag.equals(v.tag())).map(VerifiedImage::digest)
                .findFirst();
    }

    private Optional<RevCommit> lastChangeOfManifest(Path workTree) throws IOException {
        try (Git git = Git.open(workTree.toFile())) {
            Iterator<RevCommit> commits = git.log().addPath(request.environment().path()).setMaxCount(1).call()
                    .iterator();
            return commits.hasNext() ? Optional.of(commits.next()) : Optional.empty();
        } catch (GitAPIException e) {
            throw new IOException("cannot read the history of " + request.environment().path(), e);
        }
    }

    @Override
    public CommitMessage message(List<FileChange> changes) {
        Revert revert = (Revert) decision;
        String fromLabel = revert.fromTag() != null ? revert.fromTag()
                : revert.badDigest() != null ? revert.badDigest() : "unknown";
        String subject = "rollback(" + request.app() + "/" + environment() + "): " + fromLabel + " -> "
                + revert.to().tag();
        StringBuilder body = new StringBuilder()
                .append("Set ").append(request.pipeline().image()).append(" back to ").append(revert.toImage())
                .append(" in ").append(request.environment().path()).append(", the last image verified in ")
                .append(environment()).append(" (verification ").append(shortCommit(revert.to().commit()))
                .append(").\n");
        body.append("Cause: ").append(request.cause().code());
        if (request.metric() != null) {
            body.append(" of ").append(request.metric());
        }
        if (request.evidence() != null) {
            body.append(" (").append(request.evidence()).append(')');
        }
        body.append(".\n");
        if (revert.badDigest() != null) {
            body.append("Held: ").append(revert.badDigest()).append(" is not bumped into ").append(environment())
                    .append(" again (").append(RollbackHolds.path(request.app(), environment())).append(").");
        } else {
            body.append("Not held: the digest of ").append(fromLabel).append(" is not known.");
        }
        LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
        trailers.put("Relay-Trace", request.trace());
        trailers.put(REASON_TRAILER, request.cause().code());
        if (request.metricValue() != null) {
            trailers.put("Relay-Metric-Value", SloCondition.format(request.metricValue()));
        }
        trailers.put("Relay-Image-Digest", revert.to().digest());
        trailers.put("Relay-Image", request.pipeline().image() + ":" + revert.to().tag());
        if (revert.badDigest() != null) {
            trailers.put(ROLLED_BACK_DIGEST_TRAILER, revert.badDigest());
        }
        trailers.put("Relay-Rolled-Back-Image", revert.fromImage());
        if (request.breachedAt() != null) {
            trailers.put(DoraTrailers.BREACHED_AT, DoraTrailers.format(request.breachedAt()));
        }
        trailers.put("Relay-App", request.app());
        trailers.put("Relay-Environment", environment());
        return new CommitMessage(subject, body.toString(), trailers);
    }

    private String holdReason() {
        return request.cause().code() + (request.evidence() == null ? "" : ": " + request.evidence());
    }

    private String environment() {
        return request.environment().name();
    }

    /** {@code image[:tag][@digest]} of the pipeline's image. */
    String reference(String tag, String digest) {
        return request.pipeline().image() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    private static String shortCommit(String commit) {
        return commit == null ? "unknown" : commit.substring(0, Math.min(12, commit.length()));
    }
}
