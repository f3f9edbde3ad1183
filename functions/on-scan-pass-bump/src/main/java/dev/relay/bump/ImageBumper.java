package dev.relay.bump;

import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.GitWriteProblems;

/** Writes a {@link BumpRequest} into the config repository and says what happened ({@link GitWriteProblems}). */
public final class ImageBumper {

    private final GitOpsWriter writer;

    public ImageBumper(GitOpsWriter writer) {
        this.writer = writer;
    }

    public BumpOutcome bump(BumpRequest request) {
        ManifestBump edit = new ManifestBump(request);
        WriteOutcome outcome = GitWriteProblems.write(writer, request.pipeline().configRepo().toConfigRepository(),
                edit, request.environment().path());
        if (outcome instanceof WriteOutcome.Committed committed) {
            return new BumpOutcome.Bumped(request, committed.commitId(),
                    committed.changes().isEmpty() ? null : committed.changes().get(0).oldValue(),
                    committed.attempts());
        }
        if (outcome instanceof WriteOutcome.AlreadyApplied applied) {
            return new BumpOutcome.Unchanged(request, "already-applied", applied.commitId());
        }
        return new BumpOutcome.Unchanged(request, edit.held() ? "held" : "already-at-image", null);
    }
}
