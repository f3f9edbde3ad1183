package dev.relay.verify;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.http.EventRetryableException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Runs an environment's checks against what Git says should run. While the rollout (or the Argo CD Application) is
 * still in progress it looks again every {@code verify.poll-interval} until {@code verify.deadline}, then answers 503
 * so the broker redelivers later; once nothing is in progress it judges every check, runs the smoke checks and
 * returns {@link VerifyOutcome.Passed} or {@link VerifyOutcome.Failed}.
 */
public final class RolloutVerifier {

    public static final String ROLLOUT = "deployment-rollout";
    public static final String IMAGE_DIGEST = "image-digest";

    private final Supplier<ClusterReads> cluster;
    private final SmokeChecks smoke;
    private final DesiredImages desired;
    private final VerifyMetrics metrics;
    private final Sleeper sleeper;
    private final Clock clock;

    /**
     * @param cluster the Kubernetes gateway, asked for only when a Kubernetes or Argo CD check is configured (so an
     *                environment with {@code kubernetes: false} and only smoke checks needs no cluster)
     */
    public RolloutVerifier(Supplier<ClusterReads> cluster, SmokeChecks smoke, DesiredImages desired,
            VerifyMetrics metrics, Sleeper sleeper, Clock clock) {
        this.cluster = cluster;
        this.smoke = smoke;
        this.desired = desired;
        this.metrics = metrics;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** One look at the cluster: the checks it settled, what is still in progress, the digest the pods run. */
    private record Observation(List<Payloads.Check> checks, List<Payloads.Check> pending, Optional<String> runningDigest) {
    }

    public VerifyOutcome verify(VerifyRequest request, ExpectedImage expected) {
        RelayProperties.Verify config = request.verify();
        Instant deadline = clock.instant().plus(config.deadline());
        Observation observation = observe(request, expected);
        while (!observation.pending().isEmpty()) {
            if (!clock.instant().plus(config.pollInterval()).isBefore(deadline)) {
                observation.pending().forEach(p -> metrics.inProgress(p.name()));
                throw EventRetryableException.unavailable("rollout-in-progress", "The rollout is still in progress",
                        observation.pending().stream().map(Payloads.Check::detail).collect(Collectors.joining("; "))
                                + " (waited " + config.deadline() + "; redeliver later)", null);
            }
            try {
                sleeper.sleep(config.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw EventRetryableException.unavailable("rollout-in-progress", "The rollout is still in progress",
                        "interrupted while waiting for the rollout", e);
            }
            observation = observe(request, expected);
        }
        List<Payloads.Check> checks = new ArrayList<>(observation.checks());
        checks.addAll(smoke.run(config.smoke()));
        ExpectedImage verified = expected;
        boolean allOk = checks.stream().allMatch(Payloads.Check::ok);
        if (expected.digest() == null) {
            Optional<String> digest = observation.runningDigest();
            if (digest.isEmpty() && allOk) {
                digest = desired.bumpedDigest(request, expected);
            }
            verified = expected.withDigest(digest.orElse(null));
            if (allOk && digest.isEmpty()) {
                checks.add(new Payloads.Check(IMAGE_DIGEST, false, "cannot tell the digest of " + expected.reference()
                        + ": the manifest pins none, the pods report none and no bump commit records one"
                        + " (set pin-digest: true for this environment)"));
            }
        }
        metrics.record(checks);
        return checks.stream().allMatch(Payloads.Check::ok) ? new VerifyOutcome.Passed(verified, checks)
                : new VerifyOutcome.Failed(verified, checks);
    }

    private Observation observe(VerifyRequest request, ExpectedImage expected) {
        RelayProperties.Verify config = request.verify();
        List<Payloads.Check> checks = new ArrayList<>();
        List<Payloads.Check> pending = new ArrayList<>();
        Optional<String> runningDigest = Optional.empty();
        if (config.kubernetes()) {
            ClusterReads reads = cluster.get();
            String namespace = config.namespace();
            String name = config.deploymentOr(request.app());
            Optional<Deployment> deployment = reads.deployment(namespace, name);
            if (deployment.isEmpty()) {
                checks.add(new Payloads.Check(ROLLOUT, false, "Deployment " + namespace + "/" + name + " not found"));
                checks.add(new Payloads.Check(PodImages.CHECK, false, "no Deployment " + namespace + "/" + name
                        + " to select pods by; expected " + expected.reference() + " (" + expected.source() + ")"));
            } else {
                Rollout rollout = Rollout.of(deployment.get());
                settle(ROLLOUT, rollout, checks, pending);
                if (!(rollout instanceof Rollout.InProgress)) {
                    Deployment d = deployment.get();
                    int desiredReplicas = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1
                            : d.getSpec().getReplicas();
                    if (d.getSpec() == null || d.getSpec().getSelector() == null) {
                        checks.add(new Payloads.Check(PodImages.CHECK, false, "Deployment " + namespace + "/" + name
                                + " has no selector"));
                    } else {
                        List<Pod> pods = reads.pods(namespace, d.getSpec().getSelector());
                        checks.add(PodImages.check(pods, desiredReplicas, config.container(), expected));
                        runningDigest = PodImages.runningDigest(pods, config.container(), expected);
                    }
                }
            }
        }
        if (config.argocd().enabled()) {
            String namespace = config.argocd().namespace();
            String name = config.argocd().applicationOr(request.app(), request.environmentName());
            Optional<GenericKubernetesResource> application = cluster.get().application(namespace, name);
            if (application.isEmpty()) {
                checks.add(new Payloads.Check(ArgoApplication.CHECK, false,
                        "Application " + namespace + "/" + name + " not found"));
            } else {
                Optional<String> newer = ArgoApplication.syncedElsewhere(application.get(), request.revision(),
                        request.commit());
                if (newer.isPresent()) {
                    throw new SupersededSyncException("Application " + namespace + "/" + name + " is synced to "
                            + newer.get() + ", not " + request.revision());
                }
                settle(ArgoApplication.CHECK, ArgoApplication.judge(application.get(), request.revision(),
                        request.commit()), checks, pending);
            }
        }
        return new Observation(checks, pending, runningDigest);
    }

    private static void settle(String check, Rollout state, List<Payloads.Check> checks, List<Payloads.Check> pending) {
        if (state instanceof Rollout.InProgress) {
            pending.add(new Payloads.Check(check, false, state.detail()));
        } else {
            checks.add(new Payloads.Check(check, state instanceof Rollout.Complete, state.detail()));
        }
    }
}
