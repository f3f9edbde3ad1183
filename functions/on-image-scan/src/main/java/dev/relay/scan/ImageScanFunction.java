package dev.relay.scan;

import dev.relay.scan.reconcile.ImageReconciler;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.kubernetes.CompletionIds;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.kubernetes.ResourceEvents;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
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
 * backend → judge the report by its policy → {@code dev.relay.scan.passed} / {@code .failed}, or
 * {@code dev.relay.scan.errored} when no verdict could be reached (a scan that did not run never passes). An image no
 * pipeline owns is answered with nothing (HTTP 202).
 *
 * <p>The Trivy CLI and Harbor answer in the request. A Trivy Job does not: the request creates it and answers
 * {@code dev.relay.scan.started}; the Job's completion comes back as an ApiServerSource event
 * ({@code dev.knative.apiserver.resource.*}) and is answered with the verdict by {@link ScanCompletions}.
 *
 * <p>A reconcile tick ({@code dev.knative.sources.ping} from the PingSource {@code relay-reconcile}) is answered by
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
    private final ScanAnswers answers;
    private final ScanCompletions completions;
    private Supplier<ImageReconciler> reconciler = () -> null;

    @Autowired
    public ImageScanFunction(RelayProperties properties, ObjectProvider<KubernetesClient> kubernetesClient,
            ObjectProvider<MeterRegistry> registry, ObjectProvider<ImageReconciler> reconciler) {
        this(properties, new KubernetesAccess(kubernetesClient::getIfAvailable, WITHOUT_CLUSTER),
                new ScanMetrics(registry.getIfAvailable(SimpleMeterRegistry::new)), Clock.systemUTC());
        this.reconciler = reconciler::getIfAvailable;
    }

    ImageScanFunction(RelayProperties properties, KubernetesAccess kubernetes, ScanMetrics metrics, Clock clock) {
        this(properties, kubernetes, new ScanService(new TrivyJobScanner(kubernetes), new TrivyCliScanner(),
                new HarborScanner()), metrics, clock);
    }

    ImageScanFunction(RelayProperties properties, KubernetesAccess kubernetes, ScanService scans, ScanMetrics metrics,
            Clock clock) {
        this.planner = new ScanPlanner(properties);
        this.kubernetes = kubernetes;
        this.scans = scans;
        this.answers = new ScanAnswers(metrics, clock);
        this.completions = new ScanCompletions(properties, kubernetes, answers);
    }

    @Override
    public CloudEvent apply(CloudEvent event) {
        if (RelayEventTypes.RECONCILE_TICK.equals(event.getType()) && reconciler.get() != null) {
            return reconciler.get().reconcile(event);
        }
        if (ResourceEvents.isResourceEvent(event.getType())) {
            return completions.answer(event);
        }
        if (!RelayEventTypes.IMAGE_PUSHED.equals(event.getType())) {
            throw EventRejectedException.badRequest("unsupported-event-type", "Unsupported event type",
                    NAME + " handles " + RelayEventTypes.IMAGE_PUSHED + " and dev.knative.apiserver.resource.*"
                            + " (a scan Job's completion), not " + event.getType() + ".");
        }
        ScanPlan plan = planner.plan(event);
        if (plan instanceof ScanPlan.Skip skip) {
            log.info("image.pushed {} not scanned: {}", event.getId(), skip.reason());
            return null;
        }
        ScanRequest request = ((ScanPlan.Scan) plan).request();
        ScanOutcome outcome = scans.scan(request);
        if (outcome instanceof ScanOutcome.Started started) {
            String job = started.job().getMetadata().getName();
            return RelayAnswers.continuing(CompletionIds.of(NAME, started.job(), RelayEventTypes.SCAN_STARTED),
                    null, RelayEventTypes.SCAN_STARTED, RelaySources.ON_IMAGE_SCAN,
                    new Payloads.ScanStarted(request.image(), request.tag(), request.digest(), job,
                            request.backendName(), request.sourceCommit(), request.sourceCommitTime()),
                    request.trace(), request.app());
        }
        return answers.verdict(request, outcome, (type, data) -> RelayAnswers.answer(event, type,
                RelaySources.ON_IMAGE_SCAN, data, request.app(), null));
    }

    @Override
    public void destroy() {
        kubernetes.close();
    }
}
