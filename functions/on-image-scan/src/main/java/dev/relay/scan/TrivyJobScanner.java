package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trivy-job}: create the scan Job (named from app + digest, so a redelivery finds the same Job), wait for it
 * within {@code trivy-job.deadline}, read the report from its pod's log. Still running → 503 (the broker redelivers and
 * the redelivery reads the finished Job); failed → {@link ScanOutcome.Errored} with the log's tail.
 */
public final class TrivyJobScanner implements Scanner {

    private static final Logger log = LoggerFactory.getLogger(TrivyJobScanner.class);

    private final KubernetesAccess kubernetes;
    private final KubernetesScans.Pause pause;

    public TrivyJobScanner(KubernetesAccess kubernetes, KubernetesScans.Pause pause) {
        this.kubernetes = kubernetes;
        this.pause = pause;
    }

    @Override
    public ScanOutcome scan(ScanRequest request) {
        RelayProperties.TrivyJob config = request.config().trivyJob();
        String namespace = kubernetes.namespace(config.namespace());
        Job job = TrivyJobFactory.job(request, namespace);
        KubernetesScans scans = new KubernetesScans(kubernetes.client(), pause);
        KubernetesScans.Submission submission = scans.create(job);
        String name = submission.name();
        log.info("scan Job {} of {} for {} {}", name, request.reference(), request.app(),
                submission.already() ? "already exists (redelivery)" : "created");
        KubernetesScans.JobState state = scans.await(namespace, name, config.deadline());
        if (state instanceof KubernetesScans.JobState.Succeeded) {
            return report(scans, namespace, name);
        }
        if (state instanceof KubernetesScans.JobState.Failed failed) {
            Optional<String> output = scans.log(namespace, name);
            return new ScanOutcome.Errored("Trivy " + failed.reason() + "; log tail: "
                    + output.map(OutputTail::of).orElse("(no pod log left)"));
        }
        if (state instanceof KubernetesScans.JobState.Missing) {
            throw EventRetryableException.unavailable("scan-job-gone", "The scan Job disappeared",
                    "Trivy Job " + name + " in namespace '" + namespace + "' was deleted before it was read;"
                            + " a redelivery creates it again.", null);
        }
        throw EventRetryableException.unavailable("scan-in-progress", "The scan is still running",
                "Trivy Job " + name + " in namespace '" + namespace + "' has not finished within "
                        + config.deadline().toMillis() + " ms (trivy-job.deadline); a redelivery reads its report.", null);
    }

    private static ScanOutcome report(KubernetesScans scans, String namespace, String name) {
        Optional<String> output = scans.log(namespace, name);
        if (output.isEmpty()) {
            return new ScanOutcome.Errored("Trivy Job " + name + " succeeded, but its pod and report are gone;"
                    + " delete the Job (kubectl -n " + namespace + " delete job " + name + ") and redeliver the event"
                    + " to scan again");
        }
        try {
            return new ScanOutcome.Reported(TrivyReportParser.parse(output.get()), "Job " + name);
        } catch (ScanReportException e) {
            return new ScanOutcome.Errored("Trivy Job " + name + " succeeded, but its log is not a Trivy report: "
                    + e.getMessage());
        }
    }
}
