package dev.relay.scan;

import dev.relay.shared.kubernetes.KubernetesAccess;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trivy-job}: create the scan Job (named from app + digest, so a redelivery finds the same Job) and answer at
 * once ({@link ScanOutcome.Started}): no request waits for Trivy. The Job's completion, reported by the
 * ApiServerSource, is read and judged by {@link ScanCompletions}.
 */
public final class TrivyJobScanner implements Scanner {

    private static final Logger log = LoggerFactory.getLogger(TrivyJobScanner.class);

    private final KubernetesAccess kubernetes;

    public TrivyJobScanner(KubernetesAccess kubernetes) {
        this.kubernetes = kubernetes;
    }

    @Override
    public ScanOutcome scan(ScanRequest request) {
        String namespace = kubernetes.namespace(request.config().trivyJob().namespace());
        Job job = TrivyJobFactory.job(request, namespace);
        KubernetesScans.Submission submission = new KubernetesScans(kubernetes.client()).create(job);
        log.info("scan Job {} of {} for {} {}", job.getMetadata().getName(), request.reference(), request.app(),
                submission.already() ? "already exists (redelivery)" : "created");
        return new ScanOutcome.Started(submission.job(), submission.already());
    }
}
