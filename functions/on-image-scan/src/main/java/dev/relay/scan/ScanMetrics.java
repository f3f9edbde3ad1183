package dev.relay.scan;

import dev.relay.shared.events.Payloads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code relay_scan_verdicts_total{outcome,backend}} (outcome: passed, failed, errored) and
 * {@code relay_scan_findings_total{severity,outcome}} (the judged findings of each verdict). Labels stay
 * low-cardinality: never an app, an image, a digest or a vulnerability id (those are in the log line).
 */
public final class ScanMetrics {

    private final MeterRegistry registry;

    public ScanMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void verdict(String outcome, String backend, Payloads.SeverityCounts counts) {
        Counter.builder("relay.scan.verdicts")
                .description("Image scan verdicts, by outcome and scanner backend")
                .tag("outcome", outcome)
                .tag("backend", backend)
                .register(registry)
                .increment();
        if (counts == null) {
            return;
        }
        findings(Severity.CRITICAL, outcome, counts.critical());
        findings(Severity.HIGH, outcome, counts.high());
        findings(Severity.MEDIUM, outcome, counts.medium());
        findings(Severity.LOW, outcome, counts.low());
        findings(Severity.UNKNOWN, outcome, counts.unknown());
    }

    private void findings(Severity severity, String outcome, int count) {
        Counter counter = Counter.builder("relay.scan.findings")
                .description("Findings judged by the scan policy, by severity and verdict")
                .tag("severity", severity.label())
                .tag("outcome", outcome)
                .register(registry);
        if (count > 0) {
            counter.increment(count);
        }
    }
}
