package dev.relay.rollback;

import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.CommitRecord;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitAuthenticationException;
import dev.relay.shared.gitops.GitOpsException;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.InvalidRepoPathException;
import dev.relay.shared.gitops.PushRejectedException;
import dev.relay.shared.gitops.RetryableGitException;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.ledger.VerifiedImage;
import dev.relay.shared.yaml.InvalidImageValueException;
import dev.relay.shared.yaml.YamlStructureException;
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
        try {
            return call.get();
        } catch (InvalidRepoPathException e) {
            throw EventRejectedException.unprocessable("path-outside-repository", "Manifest path is not allowed",
                    e.getMessage());
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-reference", "Invalid image reference",
                    e.getMessage());
        } catch (YamlStructureException e) {
            throw EventRejectedException.unprocessable("manifest-not-editable", "The manifest cannot be edited safely",
                    request.environment().path() + ": " + e.getMessage());
        } catch (GitAuthenticationException e) {
            throw new EventRetryableException(502, "git-authentication-failed",
                    "The config repository rejected Relay's credential", e.getMessage(), null);
        } catch (PushRejectedException e) {
            throw new EventRetryableException(502, "git-push-refused", "The config repository refused the push",
                    e.getMessage(), null);
        } catch (RetryableGitException e) {
            throw EventRetryableException.unavailable("git-unavailable", "The config repository is unavailable",
                    e.getMessage(), null);
        } catch (GitOpsException e) {
            throw new EventRetryableException(500, "config-repository-mismatch",
                    "The config repository does not match the pipeline configuration", e.getMessage(), null);
        }
    }
}
