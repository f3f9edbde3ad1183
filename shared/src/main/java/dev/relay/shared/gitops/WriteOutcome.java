package dev.relay.shared.gitops;

import java.util.List;

/** What {@link GitOpsWriter#write} did. */
public sealed interface WriteOutcome permits WriteOutcome.Committed, WriteOutcome.AlreadyApplied, WriteOutcome.NoChange {

    /** The edit was committed and pushed; {@code attempts} counts pushes (1 = no rejection). */
    record Committed(String commitId, List<FileChange> changes, int attempts) implements WriteOutcome {

        public Committed {
            changes = List.copyOf(changes);
        }
    }

    /** A commit with this {@code Relay-Event-Id} trailer is already on the branch. */
    record AlreadyApplied(String commitId) implements WriteOutcome {
    }

    /** The edit produced no change. */
    record NoChange() implements WriteOutcome {
    }
}
