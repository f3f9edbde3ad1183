package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code dev.relay.scan.passed} → bump the pipeline's first environment → {@code dev.relay.manifest.bumped} or
 * {@code dev.relay.manifest.unchanged}. Promotion ({@code dev.relay.verify.passed} → next environment) plugs in
 * here as a second reader producing a {@link BumpRequest} for a later environment.
 */
@Component(ScanPassBumpFunction.NAME)
public class ScanPassBumpFunction implements Function<CloudEvent, CloudEvent> {

    public static final String NAME = "on-scan-pass-bump";

    private static final Logger log = LoggerFactory.getLogger(ScanPassBumpFunction.class);

    private final ScanPassedReader scanPassed;
    private final ImageBumper bumper;

    public ScanPassBumpFunction(RelayProperties properties, GitOpsWriter writer) {
        this.scanPassed = new ScanPassedReader(properties);
        this.bumper = new ImageBumper(writer);
    }

    @Override
    public CloudEvent apply(CloudEvent event) {
        if (!RelayEventTypes.SCAN_PASSED.equals(event.getType())) {
            throw EventRejectedException.badRequest("unsupported-event-type", "Unsupported event type",
                    NAME + " handles " + RelayEventTypes.SCAN_PASSED + ", not " + event.getType() + ".");
        }
        BumpOutcome outcome = bumper.bump(scanPassed.read(event));
        return answer(event, outcome);
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
        log.info("{}/{} unchanged at {}:{} ({})", request.app(), request.environment().name(), request.image(),
                request.tag(), unchanged.reason());
        return RelayAnswers.answer(cause, RelayEventTypes.MANIFEST_UNCHANGED, RelaySources.ON_SCAN_PASS_BUMP,
                new Payloads.Manifest(request.app(), request.environment().name(), request.image(), request.tag(),
                        request.digest(), repository, request.environment().path(), unchanged.commit(), null,
                        unchanged.reason()),
                request.app(), request.environment().name());
    }
}
