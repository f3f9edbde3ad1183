package dev.relay.scan;

import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A report, or why there is none, turned into the verdict event: judged by the pipeline's policy →
 * {@code dev.relay.scan.passed} / {@code .failed}; no report → {@code dev.relay.scan.errored} (a scan that did not run
 * never passes). The same for a scan answered in the request (trivy-cli, harbor) and for a Trivy Job's completion.
 */
final class ScanAnswers {

    /** Builds the answer event of one type and payload (its id, time and chain extensions are the caller's). */
    @FunctionalInterface
    interface Answer {
        CloudEvent of(String type, Payloads.Scan data);
    }

    private static final Logger log = LoggerFactory.getLogger(ScanAnswers.class);

    private final ScanMetrics metrics;
    private final Clock clock;

    ScanAnswers(ScanMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    CloudEvent verdict(ScanRequest request, ScanOutcome outcome, Answer answer) {
        ScanPolicy policy = ScanPolicy.of(request.config().policy());
        if (outcome instanceof ScanOutcome.Errored errored) {
            log.warn("scan of {} for {} ({}) errored: {}", request.reference(), request.app(), request.backendName(),
                    errored.reason());
            metrics.verdict("errored", request.backendName(), null);
            return answer.of(RelayEventTypes.SCAN_ERRORED, scan(request, null, policy, null, errored.reason()));
        }
        if (!(outcome instanceof ScanOutcome.Reported reported)) {
            throw new IllegalArgumentException("no verdict for " + outcome);
        }
        Verdict verdict = new PolicyJudge(policy, clock).judge(reported.report());
        if (verdict instanceof Verdict.Failed failed) {
            log.warn("scan of {} for {} FAILED policy {}: blocking {} ({}; {} from {})", request.reference(),
                    request.app(), policy.name(), failed.blocking(), failed.reason(), failed.counts(),
                    reported.source());
            metrics.verdict("failed", request.backendName(), failed.counts());
            return answer.of(RelayEventTypes.SCAN_FAILED,
                    scan(request, failed.counts(), policy, failed.blocking(), failed.reason()));
        }
        log.info("scan of {} for {} passed policy {} ({}; {} from {})", request.reference(), request.app(),
                policy.name(), verdict.reason(), verdict.counts(), reported.source());
        metrics.verdict("passed", request.backendName(), verdict.counts());
        return answer.of(RelayEventTypes.SCAN_PASSED,
                scan(request, verdict.counts(), policy, List.of(), verdict.reason()));
    }

    private static Payloads.Scan scan(ScanRequest request, Payloads.SeverityCounts counts, ScanPolicy policy,
            List<String> blocking, String reason) {
        return new Payloads.Scan(request.image(), request.tag(), request.digest(), counts, policy.describe(), blocking,
                reason, request.sourceCommit(), request.sourceCommitTime());
    }
}
