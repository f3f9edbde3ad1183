package dev.relay.scan;

/**
 * A scanner backend. Answers a report, {@link ScanOutcome.Errored} when the scan cannot run, or
 * {@link ScanOutcome.Started} when it runs on (a Trivy Job, whose completion event brings the report); throws
 * {@link dev.relay.shared.http.EventRetryableException} on a transient failure a redelivery may not meet.
 */
public interface Scanner {

    ScanOutcome scan(ScanRequest request);
}
