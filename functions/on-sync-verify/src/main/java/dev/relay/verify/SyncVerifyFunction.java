package dev.relay.verify;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.dora.DoraMetrics;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * {@code dev.relay.sync.succeeded} → find the image the config repository says should run in that environment → check
 * the rollout (Deployment, its ready pods, optionally the Argo CD Application, HTTP smoke checks) → on success record
 * the verified image in the config repository's ledger → {@code dev.relay.verify.passed}; a definite failure →
 * {@code dev.relay.verify.failed}; a rollout still in progress at the deadline → 503 (the broker redelivers). A sync
 * of a deployment the ledger already records as verified (GitOps tools re-report every reconcile, and report Relay's
 * own ledger commits) records and announces nothing (202); a result whose image has no known digest is
 * {@code dev.relay.verify.inconclusive}. The GitOps tool's notification carries no trace of the change, so
 * verification continues the trace the bump commit recorded ({@code Relay-Trace}, {@code Relay-Traceparent}), in a
 * span linked to the notification's.
 */
@Component(SyncVerifyFunction.NAME)
public class SyncVerifyFunction implements Function<CloudEvent, CloudEvent>, DisposableBean {

    public static final String NAME = "on-sync-verify";
    static final String WITHOUT_CLUSTER = "set verify.kubernetes: false (with argocd or smoke checks) for the"
            + " environment";

    private static final Logger log = LoggerFactory.getLogger(SyncVerifyFunction.class);

    private final SyncSucceededReader reader;
    private final DesiredImages desired;
    private final RolloutVerifier verifier;
    private final VerificationRecorder recorder;
    private final VerifiedDeployments verified;
    private final ProductionDeployments deployments;
    private final VerifyMetrics metrics;
    private final KubernetesAccess kubernetes;
    private final EventTracing tracing;

    @Autowired
    public SyncVerifyFunction(RelayProperties properties, GitOpsWriter writer,
            ObjectProvider<KubernetesClient> kubernetesClient, ObjectProvider<MeterRegistry> registry,
            EventTracing tracing) {
        this(properties, writer, new KubernetesAccess(kubernetesClient::getIfAvailable, WITHOUT_CLUSTER),
                new SmokeChecks(), new VerifyMetrics(registry.getIfAvailable(SimpleMeterRegistry::new)),
                Sleeper.THREAD, Clock.systemUTC(), tracing);
    }

    SyncVerifyFunction(RelayProperties properties, GitOpsWriter writer, KubernetesAccess kubernetes,
            SmokeChecks smoke, VerifyMetrics metrics, Sleeper sleeper, Clock clock) {
        this(properties, writer, kubernetes, smoke, metrics, sleeper, clock,
                new EventTracing(Tracer.NOOP, Propagator.NOOP));
    }

    SyncVerifyFunction(RelayProperties properties, GitOpsWriter writer, KubernetesAccess kubernetes,
            SmokeChecks smoke, VerifyMetrics metrics, Sleeper sleeper, Clock clock, EventTracing tracing) {
        this.tracing = tracing;
        this.reader = new SyncSucceededReader(properties);
        this.desired = new DesiredImages(writer);
        this.kubernetes = kubernetes;
        this.verifier = new RolloutVerifier(() -> new ClusterReads(kubernetes.client()), smoke, desired, metrics,
                sleeper, clock);
        this.recorder = new VerificationRecorder(writer, clock);
        this.verified = new VerifiedDeployments(writer);
        this.metrics = metrics;
        this.deployments = new ProductionDeployments(writer,
                new DoraMetrics(metrics.registry()).registerAll(properties.pipelines().keySet()));
    }

    @Override
    public CloudEvent apply(CloudEvent event) {
        if (!RelayEventTypes.SYNC_SUCCEEDED.equals(event.getType())) {
            throw EventRejectedException.badRequest("unsupported-event-type", "Unsupported event type",
                    NAME + " handles " + RelayEventTypes.SYNC_SUCCEEDED + ", not " + event.getType() + ".");
        }
        VerifyRequest synced = reader.read(event);
        ExpectedImage expected;
        try {
            expected = desired.expected(synced);
        } catch (DesiredImages.NoImageNamedException e) {
            return inconclusive(event, synced, synced.pipeline().image(), null, List.of(), false,
                    "the manifest does not say which image should run (" + e.getMessage() + "): nothing to verify"
                            + " until Relay bumps the environment");
        }
        DesiredImages.BumpTrace bump = desired.bumpTrace(synced, expected);
        Optional<String> chain = bump.chain().filter(trace -> !trace.equals(synced.trace()));
        CloudEvent cause = chain.isEmpty() ? event
                : CloudEventBuilder.v1(event).withExtension(RelayExtensions.TRACE, chain.get()).build();
        VerifyRequest request = chain.isPresent() ? synced.withTrace(chain.get()) : synced;
        return tracing.continueRecorded(NAME + " verify " + request.app() + "/" + request.environmentName(),
                bump.traceParent(), cause, () -> verify(cause, request, expected));
    }

    private CloudEvent verify(CloudEvent event, VerifyRequest request, ExpectedImage expected) {
        VerifyOutcome outcome;
        try {
            outcome = verifier.verify(request, expected);
        } catch (SupersededSyncException stale) {
            log.info("{}/{} sync at {} is stale, nothing to verify: {}", request.app(), request.environmentName(),
                    request.revision(), stale.getMessage());
            return null;
        }
        ExpectedImage image = outcome.expected();
        if (image.digest() == null) {
            return inconclusive(event, request, image.image(), image.tag(), outcome.checks(),
                    outcome instanceof VerifyOutcome.Passed, "the digest of " + image.reference() + " is unknown: the"
                            + " manifest pins none, the pods report none and no bump commit records one (set"
                            + " pin-digest: true, or let Relay bump the environment)");
        }
        Payloads.Verify data = new Payloads.Verify(request.app(), request.environmentName(), image.image(),
                image.digest(), outcome.checks(), image.tag());
        if (outcome instanceof VerifyOutcome.Failed failed) {
            log.warn("{}/{} at {} failed verification of {}: {}", request.app(), request.environmentName(),
                    request.revision(), image.reference(), failed.failedNames());
            return RelayAnswers.answer(event, RelayEventTypes.VERIFY_FAILED, RelaySources.ON_SYNC_VERIFY, data,
                    request.app(), request.environmentName());
        }
        Optional<VerifiedDeployments.AlreadyVerified> known = verified.find(request, image);
        if (known.isPresent()) {
            return alreadyVerified(request, image, known.get().ledgerCommit(), known.get().verifiedRevision());
        }
        VerificationRecorder.Recorded recorded = recorder.record(request, image);
        if (recorded instanceof VerificationRecorder.Recorded.AlreadyRecorded) {
            return alreadyVerified(request, image, "on the branch", request.revision());
        }
        log.info("{}/{} at {} verified {}: ledger commit {}{}", request.app(), request.environmentName(),
                request.revision(), image.reference(), recorded.commit(),
                recorded instanceof VerificationRecorder.Recorded.Redelivered ? " (already recorded: redelivery)" : "");
        if (recorded instanceof VerificationRecorder.Recorded.Written) {
            deployments.recorded(request, recorded.commit());
        }
        return RelayAnswers.answer(event, RelayEventTypes.VERIFY_PASSED, RelaySources.ON_SYNC_VERIFY, data,
                request.app(), request.environmentName());
    }

    /** A re-notification of a deployment the ledger records as verified: no commit, no event (202). */
    private CloudEvent alreadyVerified(VerifyRequest request, ExpectedImage image, String ledgerCommit,
            String verifiedRevision) {
        metrics.outcome("already-verified");
        log.info("{}/{} at {} runs {}, already verified at {} (ledger commit {}): nothing to record or announce",
                request.app(), request.environmentName(), request.revision(), image.reference(), verifiedRevision,
                ledgerCommit);
        return null;
    }

    /**
     * Nothing Relay can use came out of the sync: the image cannot be named by digest (the manifest pins none, the pods
     * report none, no bump commit records one), or the manifest names no image at all (an environment Relay never
     * bumped). Nothing can be recorded in the ledger, promoted or rolled back, so the answer is
     * {@code dev.relay.verify.inconclusive}, which no trigger of a side effect takes.
     */
    private CloudEvent inconclusive(CloudEvent event, VerifyRequest request, String image, String tag,
            List<Payloads.Check> checks, boolean checksPassed, String reason) {
        metrics.outcome("inconclusive");
        log.warn("{}/{} at {}: verification inconclusive (failed checks {}): {}", request.app(),
                request.environmentName(), request.revision(), checks.stream().filter(c -> !c.ok())
                        .map(Payloads.Check::name).toList(), reason);
        return RelayAnswers.answer(event, RelayEventTypes.VERIFY_INCONCLUSIVE, RelaySources.ON_SYNC_VERIFY,
                new Inconclusive(request.app(), request.environmentName(), image, tag, checks, checksPassed, reason),
                request.app(), request.environmentName());
    }

    /**
     * Data of {@code dev.relay.verify.inconclusive}: {@code dev.relay.verify.*}'s fields without {@code digest}, whether
     * every other check passed, and why the result cannot be used.
     */
    public record Inconclusive(String app, String environment, String image, String tag, List<Payloads.Check> checks,
            boolean checksPassed, String reason) {
    }

    @Override
    public void destroy() {
        kubernetes.close();
    }
}
