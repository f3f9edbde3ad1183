package dev.relay.verify;

import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.RepoEdit;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.GitWriteProblems;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.ledger.VerifiedImage;
import java.time.Clock;

/**
 * Records a passed verification in the config repository's ledger ({@link VerificationLedger}) before the answer is
 * sent, keyed by the event id: a redelivered event finds its commit ({@code AlreadyApplied}) and records nothing new.
 * Git trouble is 5xx, so the broker redelivers and the answer never claims a record that is not there.
 */
public final class VerificationRecorder {

    /** What the write did: the commit, and whether it was there before (a redelivery). */
    public record Recorded(String commit, boolean already) {
    }

    private final GitOpsWriter writer;
    private final Clock clock;

    public VerificationRecorder(GitOpsWriter writer, Clock clock) {
        this.writer = writer;
        this.clock = clock;
    }

    public Recorded record(VerifyRequest request, ExpectedImage verified) {
        RepoEdit edit = VerificationLedger.record(request.eventId(), request.trace(),
                new VerifiedImage(request.app(), request.environmentName(), verified.image(), verified.tag(),
                        verified.digest(), request.revision(), null, clock.instant()));
        WriteOutcome outcome = GitWriteProblems.write(writer, request.pipeline().configRepo().toConfigRepository(),
                edit, VerificationLedger.path(request.app(), request.environmentName()));
        if (outcome instanceof WriteOutcome.Committed committed) {
            return new Recorded(committed.commitId(), false);
        }
        if (outcome instanceof WriteOutcome.AlreadyApplied applied) {
            return new Recorded(applied.commitId(), true);
        }
        return new Recorded(null, true);
    }
}
