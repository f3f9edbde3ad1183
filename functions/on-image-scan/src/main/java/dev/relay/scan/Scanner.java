package dev.relay.scan;

/**
 * A scanner backend. Answers {@link ScanOutcome.Errored} when the scan cannot run; throws
 * {@link dev.relay.shared.http.EventRetryableException} when a redelivery may find the report (still running,
 * a transient API failure).
 */
public interface Scanner {

    ScanOutcome scan(ScanRequest request);
}
