package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;
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
import java.util.Optional;

/**
 * Promotion along a pipeline's environments: {@code dev.relay.verify.passed} for environment N bumps N+1 to the same
 * digest (or waits for approval when N+1 is {@code approval: manual}); {@code dev.relay.promotion.approved} performs a
 * gated bump, but only for a digest the config repository records as verified in the previous environment.
 */
final class PromotionPlanner {

    private final PipelineLookup lookup;
    private final VerificationLedger ledger;

    PromotionPlanner(RelayProperties properties, VerificationLedger ledger) {
        this.lookup = new PipelineLookup(properties);
        this.ledger = ledger;
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

    BumpRequest approved(CloudEvent event) {
        Payloads.PromotionApproved approval = EventPayloads.read(event, Payloads.PromotionApproved.class);
        RelayProperties.Pipeline pipeline = lookup.pipeline(approval.app());
        RelayProperties.Environment target = lookup.environment(approval.app(), pipeline, approval.environment());
        String digest = requireDigest(approval.digest());
        String approver = approval.approver();
        if (approver == null || approver.isBlank() || approver.length() > 200
                || approver.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw EventRejectedException.unprocessable("invalid-approver", "Invalid approver",
                    "'approver' must name who approves, on one line of at most 200 characters.");
        }
        RelayProperties.Environment previous = previousOf(pipeline, target).orElseThrow(() ->
                EventRejectedException.unprocessable("no-previous-environment", "Nothing to promote from",
                        "'" + target.name() + "' is the first environment of '" + approval.app()
                                + "'; it is bumped by dev.relay.scan.passed, not by approval."));
        VerifiedImage verified = GitWriteProblems.call(() -> ledger.find(pipeline.configRepo().toConfigRepository(),
                approval.app(), previous.name(), digest), VerificationLedger.path(approval.app(), previous.name()))
                .orElseThrow(() -> new EventRejectedException(409, "not-verified",
                        "The digest has not verified in the previous environment",
                        digest + " has no verification recorded for " + approval.app() + "/" + previous.name()
                                + " in the config repository; it cannot be promoted to " + target.name() + "."));
        String tag = verified.tag() == null || verified.tag().isBlank() ? null : verified.tag();
        if (tag == null) {
            throw new EventRejectedException(409, "not-verified", "The verified image has no tag",
                    "The verification of " + digest + " in " + previous.name() + " recorded no tag to promote.");
        }
        return new BumpRequest(event.getId(), RelayExtensions.traceOf(event), approval.app(), pipeline, target,
                pipeline.image(), tag, digest, null, approver.strip(), null, null);
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
