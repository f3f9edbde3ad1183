package dev.relay.bump;

import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.GitWriteProblems;
import dev.relay.shared.ledger.AppliedImages;
import dev.relay.shared.ordering.TagPolicy;
import java.util.Optional;

/**
 * Writes a {@link BumpRequest} into the config repository under the pipeline's tag policy and says what happened
 * ({@link GitWriteProblems}). A tag the policy does not take is answered without touching Git; an image without the
 * source commit time a {@code source-commit-time} policy needs is filtered once the record shows none either.
 */
public final class ImageBumper {

    private final GitOpsWriter writer;

    public ImageBumper(GitOpsWriter writer) {
        this.writer = writer;
    }

    public BumpOutcome bump(BumpRequest request) {
        TagPolicy policy = TagPolicy.of(request.pipeline().tags());
        if (!ManifestBump.isApproved(request)) {
            Optional<String> filtered = policy.filtersTag(request.tag());
            if (filtered.isPresent()) {
                return new BumpOutcome.Unchanged(request, "filtered", null, null, filtered.get());
            }
        }
        ConfigRepository repository = request.pipeline().configRepo().toConfigRepository();
        ManifestBump edit = new ManifestBump(request, policy);
        WriteOutcome outcome = GitWriteProblems.write(writer, repository, edit, request.environment().path());
        if (outcome instanceof WriteOutcome.Committed committed) {
            return new BumpOutcome.Bumped(request, committed.commitId(),
                    committed.changes().isEmpty() ? null : committed.changes().get(0).oldValue(),
                    committed.attempts());
        }
        if (outcome instanceof WriteOutcome.AlreadyApplied applied) {
            return new BumpOutcome.Unchanged(request, "already-applied", applied.commitId());
        }
        ManifestBump.Decision decision = edit.decision();
        if (decision instanceof ManifestBump.Decision.Recorded) {
            return new BumpOutcome.Unchanged(request, "already-applied",
                    GitWriteProblems.call(() -> writer.commitWithEventId(repository, request.eventId()),
                            AppliedImages.path(request.app(), request.environment().name())).orElse(null));
        }
        if (decision instanceof ManifestBump.Decision.Filtered filtered) {
            return new BumpOutcome.Unchanged(request, "filtered", null, null, filtered.why());
        }
        if (decision instanceof ManifestBump.Decision.Held) {
            return new BumpOutcome.Unchanged(request, "held", null);
        }
        if (decision instanceof ManifestBump.Decision.Superseded superseded) {
            return new BumpOutcome.Unchanged(request, "superseded", null, superseded.newerImage(),
                    "the environment has " + superseded.newerImage());
        }
        return new BumpOutcome.Unchanged(request, "already-at-image", null);
    }
}
