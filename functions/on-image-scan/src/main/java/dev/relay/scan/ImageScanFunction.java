package dev.relay.scan;

import dev.relay.scan.reconcile.ImageReconciler;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * {@code dev.relay.image.pushed} → find the pipeline that owns the image → scan {@code <image>@<digest>} with its
 * backend (Trivy Job, Trivy CLI, Harbor's report) → judge the report by its policy → {@code dev.relay.scan.passed} /
 * {@code .failed}, or {@code dev.relay.scan.errored} when no verdict could be reached (a scan that did not run never
 * passes). An image no pipeline owns is answered with nothing (HTTP 202). A reconcile tick
 * ({@code dev.knative.sources.ping} from the PingSource {@code relay-reconcile}) is answered by
 * {@link ImageReconciler}.
 */
@Component(ImageScanFunction.NAME)
public class ImageScanFunction implements Function<CloudEvent, CloudEvent>, DisposableBean {

    public static final String NAME = "on-image-scan";

    /** What to configure instead of a cluster (the end of the 503 detail when there is no Kubernetes API). */
    public static final String WITHOUT_CLUSTER = "use scan.backend: trivy-cli or harbor";

    private static final Logger log = LoggerFactory.getLogger(ImageScanFunction.class);

    private final ScanPlanner planner;
    private final KubernetesAccess kubernetes;
    private final ScanService scans;
    private final ScanMetrics metrics;
    private final Clock clock;
    private Supplier<ImageReconciler> reconciler = () -> null;

    @Autowired
    public ImageScanFunction(RelayProperties properties, ObjectProvider<KubernetesClient> kubernetesClient,
            ObjectProvider<MeterRegistry> registry, ObjectProvider<ImageReconciler> reconciler) {
        this(properties, new KubernetesAccess(kubernetesClient::getIfAvailable, WITHOUT_CLUSTER),
                new ScanMetrics(registry.getIfAvailable(SimpleMeterRegistry::new)), Clock.systemUTC());
        this.reconciler = reconciler::getIfAvailable;
    }

    ImageScanFunction(RelayProperties properties, KubernetesAccess kubernetes, ScanMetrics metrics, Clock clock) {
        this(properties, kubernetes, new ScanService(new TrivyJobScanner(kubernetes,
                duration -> Thread.sleep(Math.max(1, duration.toMillis()))),
                new TrivyCliScanner(), new HarborScanner()), metrics, clock);
    }

    ImageScanFunction(RelayProperties properties, KubernetesAccess kubernetes, ScanService scans, ScanMetrics metrics,
            Clock clock) {
        this.planner = new ScanPlanner(properties);
        this.kubernetes = kubernetes;
        this.scans = scans;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public CloudEvent apply(CloudEvent event) {
        if (RelayEventTypes.RECONCILE_TICK.equals(event.getType()) && reconciler.get() != null) {
            return reconciler.get().reconcile(event);
        }
        if (!RelayEventTypes.IMAGE_PUSHED.equals(event.getType())) {
            throw EventRejectedException.badRequest("unsupported-event-type", "Unsupported event type",
                    NAME + " handles " + RelayEventTypes.IMAGE_PUSHED + ", not " + event.getType() + ".");
        }
        ScanPlan plan = planner.plan(event);
        if (plan instanceof ScanPlan.Skip skip) {
            log.info("image.pushed {} not scanned: {}", event.getId(), skip.reason());
            return null;
        }
        ScanRequest request = ((ScanPlan.Scan) plan).request();
        ScanPolicy policy = ScanPolicy.of(request.config().policy());
        ScanOutcome outcome = scans.scan(request);
        if (outcome instanceof ScanOutcome.Errored errored) {
            log.warn("scan of {} for {} ({}) errored: {}", request.reference(), request.app(), request.backendName(),
                    errored.reason());
            metrics.verdict("errored", request.backendName(), null);
            return answer(event, request, RelayEventTypes.SCAN_ERRORED,
                    scan(request, null, policy, null, errored.reason()));
        }
        ScanOutcome.Reported reported = (ScanOutcome.Reported) outcome;
        Verdict verdict = new PolicyJudge(policy, clock).judge(reported.report());
        if (verdict instanceof Verdict.Failed failed) {
            log.warn("scan of {} for {} FAILED policy {}: blocking {} ({}; {} from {})", request.reference(),
                    request.app(), policy.name(), failed.blocking(), failed.reason(), failed.counts(),
                    reported.source());
            metrics.verdict("failed", request.backendName(), failed.counts());
            return answer(event, request, RelayEventTypes.SCAN_FAILED,
                    scan(request, failed.counts(), policy, failed.blocking(), failed.reason()));
        }
        log.info("scan of {} for {} passed policy {} ({}; {} from {})", request.reference(), request.app(),
                policy.name(), verdict.reason(), verdict.counts(), reported.source());
        metrics.verdict("passed", request.backendName(), verdict.counts());
        return answer(event, request, RelayEventTypes.SCAN_PASSED,
                scan(request, verdict.counts(), policy, List.of(), verdict.reason()));
    }

    private static Payloads.Scan scan(ScanRequest request, Payloads.SeverityCounts counts, ScanPolicy policy,
            List<String> blocking, String reason) {
        return new Payloads.Scan(request.image(), request.tag(), request.digest(), counts, policy.describe(), blocking,
                reason, request.sourceCommit(), request.sourceCommitTime());
    }

    private static CloudEvent answer(CloudEvent cause, ScanRequest request, String type, Payloads.Scan data) {
        return RelayAnswers.answer(cause, type, RelaySources.ON_IMAGE_SCAN, data, request.app(), null);
    }

    @Override
    public void destroy() {
        kubernetes.close();
    }
}
