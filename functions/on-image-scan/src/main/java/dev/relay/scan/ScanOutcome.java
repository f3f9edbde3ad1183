package dev.relay.scan;

/** What a scanner backend produced: a report to judge, or why there is none. */
public sealed interface ScanOutcome permits ScanOutcome.Reported, ScanOutcome.Errored {

    /** @param source where the report came from, e.g. {@code Job scan-web-app-4c3f5e2b9a8d} */
    record Reported(ScanReport report, String source) implements ScanOutcome {
    }

    /** The scan could not run or its output could not be read; {@code reason} says why and what to do. */
    record Errored(String reason) implements ScanOutcome {
    }
}
