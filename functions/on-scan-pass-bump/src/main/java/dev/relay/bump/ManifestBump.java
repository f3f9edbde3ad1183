package dev.relay.bump;

import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.RepoEdit;
import dev.relay.shared.ledger.AppliedImages;
import dev.relay.shared.ledger.RollbackHolds;
import dev.relay.shared.manifest.EnvironmentManifest;
import dev.relay.shared.ordering.TagPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The edit of one environment's manifest for one bump, re-playable on any head of the branch. It decides from the
 * head alone: an event the environment's {@link AppliedImages} record lists is already applied; a held digest stays
 * out; an image older than the environment's newest (under the pipeline's {@link TagPolicy}) is superseded, unless a
 * person approved it; otherwise the manifest and the record change in one commit.
 */
final class ManifestBump implements RepoEdit {

    /** The W3C trace context of the bump's span, continued by the verification after the GitOps tool syncs. */
    static final String TRACEPARENT_TRAILER = "Relay-Traceparent";

    /** What the last {@link #apply} decided. */
    sealed interface Decision permits Decision.Recorded, Decision.Held, Decision.Filtered, Decision.Superseded,
            Decision.Write {

        /** The environment's record lists this event: it was applied before. */
        record Recorded() implements Decision {
        }

        record Held() implements Decision {
        }

        /** The tag policy cannot take the image (a {@code source-commit-time} order and no time known). */
        record Filtered(String why) implements Decision {
        }

        /** The environment has {@code newerImage}, newer under the tag policy. */
        record Superseded(String newerImage) implements Decision {
        }

        /** The manifest was written, or already held the image. */
        record Write() implements Decision {
        }
    }

    private final BumpRequest request;
    private final TagPolicy policy;
    private volatile Decision decision = new Decision.Write();

    ManifestBump(BumpRequest request, TagPolicy policy) {
        this.request = request;
        this.policy = policy;
    }

    /** An approved promotion: a person chose this image, so it may go back. */
    static boolean isApproved(BumpRequest request) {
        return request.approvedBy() != null;
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
        String app = request.app();
        String environment = request.environment().name();
        Optional<AppliedImages.Record> record = AppliedImages.read(workTree, app, environment);
        if (record.flatMap(r -> r.applied(request.eventId())).isPresent()) {
            decision = new Decision.Recorded();
            return List.of();
        }
        if (RollbackHolds.isHeld(workTree, app, environment, request.digest())) {
            decision = new Decision.Held();
            return List.of();
        }
        TagPolicy.Image candidate = new TagPolicy.Image(request.tag(), request.digest(), sourceCommitTime(workTree));
        EnvironmentManifest.Prepared manifest = new EnvironmentManifest(request.pipeline(), request.environment())
                .prepare(workTree, request.tag(), request.digest());
        TagPolicy.Image newest = record.map(AppliedImages.Record::newest).map(ManifestBump::image).orElse(null);
        if (!isApproved(request)) {
            Optional<String> filtered = policy.filters(candidate);
            if (filtered.isPresent()) {
                decision = new Decision.Filtered(filtered.get());
                return List.of();
            }
            Optional<TagPolicy.Image> newer = references(newest, manifest).stream()
                    .filter(reference -> policy.compare(candidate, reference) == TagPolicy.Comparison.OLDER)
                    .findFirst();
            if (newer.isPresent()) {
                decision = new Decision.Superseded(reference(newer.get()));
                return List.of();
            }
        }
        decision = new Decision.Write();
        Optional<FileChange> change = manifest.write();
        if (change.isEmpty()) {
            return List.of();
        }
        boolean isNewest = isApproved(request) || newest == null
                || policy.compare(candidate, newest) != TagPolicy.Comparison.UNKNOWN;
        AppliedImages.Record updated = record.orElse(AppliedImages.Record.empty(app, environment, request.image()))
                .plus(new AppliedImages.Entry(request.eventId(), request.tag(), request.digest(),
                        candidate.sourceCommitTime()), isNewest);
        return List.of(change.get(), AppliedImages.write(workTree, updated));
    }

    /** The newest image bumped, and the manifest's own tag when it differs (a rollback or a person changed it). */
    private static List<TagPolicy.Image> references(TagPolicy.Image newest, EnvironmentManifest.Prepared manifest) {
        List<TagPolicy.Image> references = new ArrayList<>(2);
        if (newest != null) {
            references.add(newest);
        }
        manifest.currentTag().filter(tag -> newest == null || !tag.equals(newest.tag()))
                .ifPresent(tag -> references.add(new TagPolicy.Image(tag, null, null)));
        return references;
    }

    private String reference(TagPolicy.Image image) {
        return request.image() + ":" + image.tag() + (image.digest() == null ? "" : "@" + image.digest());
    }

    private static TagPolicy.Image image(AppliedImages.Entry entry) {
        return new TagPolicy.Image(entry.tag(), entry.digest(), entry.sourceCommitTime());
    }

    /** The event's source commit time; for a promotion, the time recorded when the previous environment took it. */
    private Instant sourceCommitTime(Path workTree) throws IOException {
        Optional<Instant> own = DoraTrailers.parse(request.sourceCommitTime());
        if (own.isPresent()) {
            return own.get();
        }
        int index = request.pipeline().environments().indexOf(request.environment());
        if (index <= 0) {
            return null;
        }
        String previous = request.pipeline().environments().get(index - 1).name();
        return AppliedImages.read(workTree, request.app(), previous)
                .flatMap(r -> r.withDigest(request.digest()))
                .map(AppliedImages.Entry::sourceCommitTime)
                .orElse(null);
    }

    @Override
    public CommitMessage message(List<FileChange> changes) {
        String previous = changes.isEmpty() || changes.get(0).oldValue() == null ? "none" : changes.get(0).oldValue();
        String subject = "bump(" + request.app() + "/" + request.environment().name() + "): " + previous + " -> "
                + request.tag();
        String body = "Set " + request.image() + " to " + request.tag() + " (" + request.digest() + ") in "
                + request.environment().path() + ".";
        LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
        trailers.put("Relay-Event-Id", request.eventId());
        trailers.put("Relay-Trace", request.trace());
        if (request.traceParent() != null) {
            trailers.put(TRACEPARENT_TRAILER, request.traceParent());
        }
        if (request.sourceCommit() != null) {
            trailers.put("Relay-Source-Commit", request.sourceCommit());
        }
        if (request.sourceCommitTime() != null) {
            trailers.put(DoraTrailers.SOURCE_COMMIT_TIME, request.sourceCommitTime());
        }
        trailers.put("Relay-Image-Digest", request.digest());
        trailers.put("Relay-Image", request.image() + ":" + request.tag());
        trailers.put("Relay-App", request.app());
        trailers.put("Relay-Environment", request.environment().name());
        if (request.approvedBy() != null) {
            trailers.put("Relay-Approved-By", request.approvedBy());
        }
        return new CommitMessage(subject, body, trailers);
    }
}
