package dev.relay.bump;

import dev.relay.shared.approvals.ApprovalProperties;
import dev.relay.shared.approvals.ApprovalSignature;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.GitWriteProblems;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.tracing.EventTracing;
import dev.relay.shared.tracing.TraceParent;
import io.cloudevents.CloudEvent;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Writes images into environments: {@code dev.relay.scan.passed} bumps the pipeline's first environment;
 * {@code dev.relay.verify.passed} promotes to the next one (or answers {@code dev.relay.promotion.pending} when it
 * is gated); {@code dev.relay.promotion.approved} performs a gated promotion and {@code dev.relay.promotion.rejected}
 * drops it (both only signed by webhook-ingress, see {@link PromotionPlanner}). Answers
 * {@code dev.relay.manifest.bumped} or {@code dev.relay.manifest.unchanged}. Each bump commit records the handling
 * span's {@code traceparent} ({@code Relay-Traceparent}), read here while that span is current.
 */
@Component(ScanPassBumpFunction.NAME)
public class ScanPassBumpFunction implements Function<CloudEvent, CloudEvent> {

    public static final String NAME = "on-scan-pass-bump";

    private static final Logger log = LoggerFactory.getLogger(ScanPassBumpFunction.class);

    private final ScanPassedReader scanPassed;
    private final PromotionPlanner promotions;
    private final ImageBumper bumper;
    private final GitOpsWriter writer;
    private final Supplier<String> traceParent;

    /** Without an approval signing key: every approval and rejection is refused. */
    public ScanPassBumpFunction(RelayProperties properties, GitOpsWriter writer) {
        this(properties, writer, new ApprovalSignature(null));
    }

    public ScanPassBumpFunction(RelayProperties properties, GitOpsWriter writer, ApprovalSignature signature) {
        this(properties, writer, signature, () -> null);
    }

    @Autowired
    public ScanPassBumpFunction(RelayProperties properties, GitOpsWriter writer, EventTracing tracing,
            ApprovalProperties approvals) {
        this(properties, writer, approvals.signature(),
                () -> tracing.currentTraceParent().map(TraceParent::value).orElse(null));
    }

    private ScanPassBumpFunction(RelayProperties properties, GitOpsWriter writer, ApprovalSignature signature,
            Supplier<String> traceParent) {
        this.scanPassed = new ScanPassedReader(properties);
        this.promotions = new PromotionPlanner(properties, writer, signature);
        this.bumper = new ImageBumper(writer);
        this.writer = writer;
        this.traceParent = traceParent;
    }

    @Override
    public CloudEvent apply(CloudEvent event) {
        switch (event.getType()) {
            case RelayEventTypes.SCAN_PASSED:
                return answer(event, bump(scanPassed.read(event)));
            case RelayEventTypes.VERIFY_PASSED:
                return promote(event, promotions.afterVerification(event));
            case RelayEventTypes.PROMOTION_APPROVED:
                return answer(event, bump(promotions.approved(event)));
            case RelayEventTypes.PROMOTION_REJECTED:
                return reject(event, promotions.rejected(event));
            default:
                throw EventRejectedException.badRequest("unsupported-event-type", "Unsupported event type",
                        NAME + " handles " + RelayEventTypes.SCAN_PASSED + ", " + RelayEventTypes.VERIFY_PASSED
                                + ", " + RelayEventTypes.PROMOTION_APPROVED + " and "
                                + RelayEventTypes.PROMOTION_REJECTED + ", not " + event.getType() + ".");
        }
    }

    private BumpOutcome bump(BumpRequest request) {
        return bumper.bump(request.withTraceParent(traceParent.get()));
    }

    private CloudEvent promote(CloudEvent event, Promotion promotion) {
        if (promotion instanceof Promotion.Bump bump) {
            return answer(event, bump(bump.request()));
        }
        if (promotion instanceof Promotion.AwaitApproval gated) {
            BumpRequest request = gated.request();
            log.info("{}/{} waits for approval of {}:{} ({})", request.app(), request.environment().name(),
                    request.image(), request.tag(), request.digest());
            return RelayAnswers.answer(event, RelayEventTypes.PROMOTION_PENDING, RelaySources.ON_SCAN_PASS_BUMP,
                    new Payloads.PromotionPending(request.app(), request.environment().name(), request.image(),
                            request.tag(), request.digest(), "manual"),
                    request.app(), request.environment().name());
        }
        Promotion.Finished finished = (Promotion.Finished) promotion;
        log.info("{}/{} is the last environment: nothing to promote", finished.app(),
                finished.environment().name());
        return null;
    }

    /** Records the rejection; answers {@code manifest.unchanged} with reason {@code rejected} and that commit. */
    private CloudEvent reject(CloudEvent event, PromotionPlanner.Rejected rejected) {
        PromotionPlanner.PendingPromotion pending = rejected.pending();
        ConfigRepository repository = pending.pipeline().configRepo().toConfigRepository();
        WriteOutcome outcome = GitWriteProblems.write(writer, repository, rejected.edit(),
                PromotionRejection.path(rejected.edit().app(), pending.target().name()));
        String commit = outcome instanceof WriteOutcome.Committed committed ? committed.commitId()
                : outcome instanceof WriteOutcome.AlreadyApplied applied ? applied.commitId() : null;
        log.info("{}/{}: {} rejected {} in commit {}", rejected.edit().app(), pending.target().name(),
                pending.approver(), pending.digest(), commit);
        return RelayAnswers.answer(event, RelayEventTypes.MANIFEST_UNCHANGED, RelaySources.ON_SCAN_PASS_BUMP,
                new Payloads.Manifest(rejected.edit().app(), pending.target().name(), pending.pipeline().image(),
                        pending.tag(), pending.digest(), repository.redactedUrl(), pending.target().path(), commit,
                        null, "rejected"),
                rejected.edit().app(), pending.target().name());
    }

    private static CloudEvent answer(CloudEvent cause, BumpOutcome outcome) {
        BumpRequest request = outcome.request();
        String repository = request.pipeline().configRepo().toConfigRepository().redactedUrl();
        if (outcome instanceof BumpOutcome.Bumped bumped) {
            log.info("bumped {}/{} to {}:{} in commit {} (previous {}, {} attempt(s))", request.app(),
                    request.environment().name(), request.image(), request.tag(), bumped.commit(),
                    bumped.previousTag(), bumped.attempts());
            return RelayAnswers.answer(cause, RelayEventTypes.MANIFEST_BUMPED, RelaySources.ON_SCAN_PASS_BUMP,
                    new Payloads.Manifest(request.app(), request.environment().name(), request.image(),
                            request.tag(), request.digest(), repository, request.environment().path(),
                            bumped.commit(), bumped.previousTag(), null),
                    request.app(), request.environment().name());
        }
        BumpOutcome.Unchanged unchanged = (BumpOutcome.Unchanged) outcome;
        log.info("{}/{} unchanged for {}:{} ({}{})", request.app(), request.environment().name(), request.image(),
                request.tag(), unchanged.reason(), unchanged.detail() == null ? "" : ": " + unchanged.detail());
        return RelayAnswers.answer(cause, RelayEventTypes.MANIFEST_UNCHANGED, RelaySources.ON_SCAN_PASS_BUMP,
                new Payloads.Manifest(request.app(), request.environment().name(), request.image(), request.tag(),
                        request.digest(), repository, request.environment().path(), unchanged.commit(), null,
                        unchanged.reason(), unchanged.newerImage()),
                request.app(), request.environment().name());
    }
}
