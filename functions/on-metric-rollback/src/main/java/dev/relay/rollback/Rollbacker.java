package dev.relay.rollback;

import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.CommitRecord;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.GitWriteProblems;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.ledger.VerifiedImage;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reverts an environment in the config repository ({@link RollbackEdit}, one commit through the {@link GitOpsWriter},
 * with its conflict retries) and says what happened. Failures become problems the way bumps map them: a manifest
 * Relay must not edit is 4xx; Git trouble is 5xx (the broker retries).
 */
public final class Rollbacker {

    /** How far back the ledger and the manifest's history are read. */
    static final int HISTORY_LIMIT = 200;

    private final GitOpsWriter writer;
    private final VerificationLedger ledger;
    private final Clock clock;

    public Rollbacker(GitOpsWriter writer, Clock clock) {
        this.writer = writer;
        this.ledger = new VerificationLedger(writer);
        this.clock = clock;
    }

    public RollbackOutcome rollBack(RollbackRequest request) {
        ConfigRepository repo = repo(request);
        List<VerifiedImage> verified = git(request,
                () -> ledger.history(repo, request.app(), request.environment().name(), HISTORY_LIMIT));
        RollbackEdit edit = new RollbackEdit(request, verified, clock);
        WriteOutcome outcome = git(request, () -> writer.write(repo, edit));
        if (outcome instanceof WriteOutcome.Committed committed) {
            RollbackEdit.Revert revert = (RollbackEdit.Revert) edit.decision();
            return new RollbackOutcome.RolledBack(request, committed.commitId(), revert.fromImage(),
                    revert.toImage(), committed.attempts(), false);
        }
        if (outcome instanceof WriteOutcome.AlreadyApplied applied) {
            return alreadyApplied(request).filter(past -> past.commit().equals(applied.commitId()))
                    .orElse(new RollbackOutcome.RolledBack(request, applied.commitId(), null, null, 0, true));
        }
        RollbackEdit.Decision decision = edit.decision();
        if (decision instanceof RollbackEdit.Skip skip) {
            return new RollbackOutcome.Skipped(request, skip.code(), skip.reason(), skip.fromImage());
        }
        // The manifest already held the verified image and the bad digest was already held: nothing left to do.
        return new RollbackOutcome.Skipped(request, "already-rolled-back",
                "already rolled back: " + request.app() + "/" + request.environment().name() + " already deploys "
                        + decision.fromImage(), decision.fromImage());
    }

    /**
     * The rollback this event already committed, if any (a redelivery). Checked before Prometheus is asked again,
     * whose answer may have changed since the rollback.
     */
    public Optional<RollbackOutcome.RolledBack> alreadyApplied(RollbackRequest request) {
        ConfigRepository repo = repo(request);
        List<CommitRecord> history = git(request,
                () -> writer.history(repo, request.environment().path(), HISTORY_LIMIT));
        return history.stream()
                .filter(commit -> commit.trailer(CommitMessage.EVENT_ID_TRAILER).filter(request.eventId()::equals)
                        .isPresent())
                .findFirst()
                .map(commit -> new RollbackOutcome.RolledBack(request, commit.id(),
                        commit.trailer("Relay-Rolled-Back-Image").orElse(null),
                        commit.trailer("Relay-Image").map(image -> image + commit.trailer("Relay-Image-Digest")
                                .map(digest -> "@" + digest).orElse("")).orElse(null),
                        0, true));
    }

    private static ConfigRepository repo(RollbackRequest request) {
        return request.pipeline().configRepo().toConfigRepository();
    }

    private static <T> T git(RollbackRequest request, Supplier<T> call) {
        return GitWriteProblems.call(call, request.environment().path());
    }
}
