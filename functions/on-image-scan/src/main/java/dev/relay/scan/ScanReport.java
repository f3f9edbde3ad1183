package dev.relay.scan;

import dev.relay.shared.events.Payloads;
import java.util.List;

/**
 * What a scanner found, in one model whatever the scanner. Counts are of findings (vulnerability and package pairs),
 * as in Trivy's own summary: one CVE in two packages counts twice.
 */
public record ScanReport(List<Finding> findings) {

    public ScanReport {
        findings = List.copyOf(findings);
    }

    public static Payloads.SeverityCounts counts(List<Finding> findings) {
        int[] n = new int[Severity.values().length];
        findings.forEach(f -> n[f.severity().ordinal()]++);
        return new Payloads.SeverityCounts(n[0], n[1], n[2], n[3], n[4]);
    }

    public Payloads.SeverityCounts counts() {
        return counts(findings);
    }
}
