package dev.relay.bump;

import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.RepoEdit;
import dev.relay.shared.ledger.RollbackHolds;
import dev.relay.shared.manifest.EnvironmentManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/** The edit of one environment's manifest for one bump, re-playable on any head of the branch. */
final class ManifestBump implements RepoEdit {

    /** The W3C trace context of the bump's span, continued by the verification after the GitOps tool syncs. */
    static final String TRACEPARENT_TRAILER = "Relay-Traceparent";

    private final BumpRequest request;
    private volatile boolean held;

    ManifestBump(BumpRequest request) {
        this.request = request;
    }

    @Override
    public String eventId() {
        return request.eventId();
    }

    /** Whether the last {@link #apply} found the digest held by a rollback (and so changed nothing). */
    boolean held() {
        return held;
    }

    @Override
    public List<FileChange> apply(Path workTree) throws IOException {
        held = RollbackHolds.isHeld(workTree, request.app(), request.environment().name(), request.digest());
        if (held) {
            return List.of();
        }
        return new EnvironmentManifest(request.pipeline(), request.environment())
                .set(workTree, request.tag(), request.digest())
                .map(List::of)
                .orElse(List.of());
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
