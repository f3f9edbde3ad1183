package dev.relay.scan;

import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** What a scanner backend produced: a report to judge, why there is none, or the Job that will produce one. */
public sealed interface ScanOutcome permits ScanOutcome.Reported, ScanOutcome.Errored, ScanOutcome.Started {

    /** @param source where the report came from, e.g. {@code Job scan-web-app-4c3f5e2b9a8d} */
    record Reported(ScanReport report, String source) implements ScanOutcome {
    }

    /** The scan could not run or its output could not be read; {@code reason} says why and what to do. */
    record Errored(String reason) implements ScanOutcome {
    }

    /**
     * The scan runs as {@code job} ({@code trivy-job}); its completion event is answered by {@link ScanCompletions}.
     *
     * @param already the Job existed before this event (a redelivery): nothing new was created
     */
    record Started(Job job, boolean already) implements ScanOutcome {
    }
}
