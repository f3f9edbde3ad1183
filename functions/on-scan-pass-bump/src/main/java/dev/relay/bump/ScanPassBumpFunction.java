package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.ledger.VerificationLedger;
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
 * is gated); {@code dev.relay.promotion.approved} performs a gated promotion. Answers
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
    private final Supplier<String> traceParent;

    public ScanPassBumpFunction(RelayProperties properties, GitOpsWriter writer) {
        this(properties, writer, () -> null);
    }

    @Autowired
    public ScanPassBumpFunction(RelayProperties properties, GitOpsWriter writer, EventTracing tracing) {
        this(properties, writer, () -> tracing.currentTraceParent().map(TraceParent::value).orElse(null));
    }

    private ScanPassBumpFunction(RelayProperties properties, GitOpsWriter writer, Supplier<String> traceParent) {
        this.scanPassed = new ScanPassedReader(properties);
        this.promotions = new PromotionPlanner(properties, new VerificationLedger(writer));
        this.bumper = new ImageBumper(writer);
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
            default:
                throw EventRejectedException.badRequest("unsupported-event-type", "Unsupported event type",
                        NAME + " handles " + RelayEventTypes.SCAN_PASSED + ", " + RelayEventTypes.VERIFY_PASSED
                                + " and " + RelayEventTypes.PROMOTION_APPROVED + ", not " + event.getType() + ".");
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
