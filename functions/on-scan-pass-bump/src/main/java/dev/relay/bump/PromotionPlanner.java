package dev.relay.bump;

import dev.relay.shared.approvals.ApprovalSignature;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.CommitRecord;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.GitWriteProblems;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.ledger.VerifiedImage;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Optional;

/**
 * Promotion along a pipeline's environments: {@code dev.relay.verify.passed} for environment N bumps N+1 to the same
 * digest (or waits for approval when N+1 is {@code approval: manual}); {@code dev.relay.promotion.approved} performs a
 * gated bump and {@code dev.relay.promotion.rejected} drops it, each only when signed by webhook-ingress
 * ({@link ApprovalSignature}) and only for a promotion the config repository shows pending.
 */
final class PromotionPlanner {

    /** How far back the target's history is searched for a redelivery, a rejection and the running digest. */
    static final int HISTORY = 200;
    /** The trailer of bump and rollback commits naming the digest the environment runs after them. */
    static final String DEPLOYED_DIGEST = "Relay-Image-Digest";

    private final PipelineLookup lookup;
    private final GitOpsWriter writer;
    private final VerificationLedger ledger;
    private final ApprovalSignature signature;

    PromotionPlanner(RelayProperties properties, GitOpsWriter writer, ApprovalSignature signature) {
        this.lookup = new PipelineLookup(properties);
        this.writer = writer;
        this.ledger = new VerificationLedger(writer);
        this.signature = signature;
    }

    Promotion afterVerification(CloudEvent event) {
        Payloads.Verify verify = EventPayloads.read(event, Payloads.Verify.class);
        RelayProperties.Pipeline pipeline = lookup.pipeline(verify.app());
        RelayProperties.Environment verified = lookup.environment(verify.app(), pipeline, verify.environment());
        String image = requireImage(verify.image(), pipeline);
        String digest = requireDigest(verify.digest());
        String tag = requireTag(verify.tag());
        Optional<RelayProperties.Environment> next = pipeline.after(verified.name());
        if (next.isEmpty()) {
            return new Promotion.Finished(verify.app(), verified);
        }
        BumpRequest request = new BumpRequest(event.getId(), RelayExtensions.traceOf(event), verify.app(), pipeline,
                next.get(), image, tag, digest, null, null, null, null);
        return next.get().approval() == RelayProperties.Approval.MANUAL
                ? new Promotion.AwaitApproval(request) : new Promotion.Bump(request);
    }

    /**
     * A signed approval of a pending promotion: the bump it asks for. A redelivered approval (its event id already
     * on the branch) yields the same request, so the writer answers "already applied".
     *
     * @throws EventRejectedException 401 unsigned or wrongly signed; 403 {@code not-pending} when the digest is not
     *                                waiting for approval in that environment; 422 invalid fields
     */
    BumpRequest approved(CloudEvent event) {
        signature.verify(event);
        Payloads.PromotionApproved approval = EventPayloads.read(event, Payloads.PromotionApproved.class);
        PendingPromotion pending = pending(event, approval.app(), approval.environment(), approval.digest(),
                approval.approver(), "approve");
        return new BumpRequest(event.getId(), pending.trace(), approval.app(), pending.pipeline(),
                pending.target(), pending.pipeline().image(), pending.tag(), pending.digest(), null,
                pending.approver(), null, null);
    }

    /**
     * A signed rejection of a pending promotion: the record that drops it.
     *
     * @throws EventRejectedException as {@link #approved}
     */
    Rejected rejected(CloudEvent event) {
        signature.verify(event);
        Payloads.PromotionRejected rejection = EventPayloads.read(event, Payloads.PromotionRejected.class);
        PendingPromotion pending = pending(event, rejection.app(), rejection.environment(), rejection.digest(),
                rejection.approver(), "reject");
        String reason = rejection.reason() == null || rejection.reason().isBlank() ? null
                : requireLine("reason", rejection.reason());
        return new Rejected(pending, new PromotionRejection(event.getId(), pending.trace(),
                rejection.app(), pending.target(), pending.digest(), pending.approver(), reason));
    }

    /**
     * A pending promotion found in the config repository.
     *
     * @param trace the change's {@code Relay-Trace}, read from the verification that made it pending
     */
    record PendingPromotion(RelayProperties.Pipeline pipeline, RelayProperties.Environment target, String tag,
            String digest, String approver, String trace) {
    }

    record Rejected(PendingPromotion pending, PromotionRejection edit) {
    }

    /**
     * Pending means: the target is gated ({@code approval: manual}), the digest verified in the environment before it,
     * the target does not run it already, and nobody rejected it there. All of it is read from the config repository.
     */
    private PendingPromotion pending(CloudEvent event, String app, String environment, String digestField,
            String approverField, String verb) {
        RelayProperties.Pipeline pipeline = lookup.pipeline(app);
        RelayProperties.Environment target = lookup.environment(app, pipeline, environment);
        String digest = requireDigest(digestField);
        String approver = requireLine("approver", approverField);
        RelayProperties.Environment previous = previousOf(pipeline, target).orElseThrow(() ->
                EventRejectedException.unprocessable("no-previous-environment", "Nothing to promote from",
                        "'" + target.name() + "' is the first environment of '" + app
                                + "'; it is bumped by dev.relay.scan.passed, not by approval."));
        if (target.approval() != RelayProperties.Approval.MANUAL) {
            throw notPending(app + "/" + target.name() + " is not gated by approval (approval: manual); "
                    + "nothing waits for " + approver + " to " + verb + ".");
        }
        ConfigRepository repository = pipeline.configRepo().toConfigRepository();
        VerifiedImage verified = GitWriteProblems.call(() -> ledger.find(repository, app, previous.name(), digest),
                VerificationLedger.path(app, previous.name()))
                .orElseThrow(() -> notPending(digest + " has no verification recorded for " + app + "/"
                        + previous.name() + " in the config repository, so no promotion of it to " + target.name()
                        + " is pending."));
        String tag = verified.tag() == null || verified.tag().isBlank() ? null : verified.tag();
        if (tag == null) {
            throw notPending("The verification of " + digest + " in " + previous.name()
                    + " recorded no tag to promote.");
        }
        String rejections = PromotionRejection.path(app, target.name());
        String ledger = VerificationLedger.path(app, previous.name());
        List<CommitRecord> history = GitWriteProblems.call(() -> writer.history(repository,
                List.of(target.path(), rejections, ledger), HISTORY), target.path());
        String trace = history.stream().filter(commit -> commit.id().equals(verified.commit())).findFirst()
                .flatMap(commit -> commit.trailer("Relay-Trace")).orElse(RelayExtensions.traceOf(event));
        boolean redelivery = history.stream().anyMatch(commit -> commit.trailer(CommitMessage.EVENT_ID_TRAILER)
                .filter(event.getId()::equals).isPresent());
        if (!redelivery) {
            history.stream().filter(commit -> commit.trailer(PromotionRejection.REJECTED_DIGEST)
                    .filter(digest::equals).isPresent()).findFirst().ifPresent(commit -> {
                        throw notPending(digest + " was rejected for " + app + "/" + target.name() + " by "
                                + commit.trailer(PromotionRejection.REJECTED_BY).orElse("someone") + " (commit "
                                + commit.id() + "); it is no longer pending.");
                    });
            history.stream().filter(commit -> commit.trailer(DEPLOYED_DIGEST).isPresent()).findFirst()
                    .filter(commit -> commit.trailer(DEPLOYED_DIGEST).orElseThrow().equals(digest))
                    .ifPresent(commit -> {
                        throw notPending(app + "/" + target.name() + " already runs " + digest + " (commit "
                                + commit.id() + "); nothing is pending.");
                    });
        }
        return new PendingPromotion(pipeline, target, tag, digest, approver, trace);
    }

    private static EventRejectedException notPending(String detail) {
        return new EventRejectedException(403, "not-pending", "No such pending promotion", detail);
    }

    private static String requireLine(String field, String value) {
        if (value == null || value.isBlank() || value.length() > 200
                || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw EventRejectedException.unprocessable("invalid-" + field, "Invalid " + field,
                    "'" + field + "' must be one line of at most 200 characters.");
        }
        return value.strip();
    }

    private static Optional<RelayProperties.Environment> previousOf(RelayProperties.Pipeline pipeline,
            RelayProperties.Environment target) {
        int index = pipeline.environments().indexOf(target);
        return index <= 0 ? Optional.empty() : Optional.of(pipeline.environments().get(index - 1));
    }

    private static String requireImage(String image, RelayProperties.Pipeline pipeline) {
        if (image != null && !image.equals(pipeline.image())) {
            throw EventRejectedException.unprocessable("image-not-owned", "Image does not belong to the app",
                    "The pipeline deploys " + pipeline.image() + ", not " + PipelineLookup.printable(image) + ".");
        }
        return pipeline.image();
    }

    private static String requireDigest(String digest) {
        return validated("digest", digest, () -> ImageValues.requireDigest("digest", digest));
    }

    private static String requireTag(String tag) {
        return validated("tag", tag, () -> ImageValues.requireTag("tag", tag));
    }

    private static String validated(String field, String value, Runnable check) {
        if (value == null || value.isBlank()) {
            throw EventRejectedException.unprocessable("missing-field", "Missing field",
                    "The event data needs a non-empty '" + field + "'.");
        }
        try {
            check.run();
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-reference", "Invalid image reference",
                    e.getMessage());
        }
        return value;
    }
}
