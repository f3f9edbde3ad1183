package dev.relay.shared.dora;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The four keys of one application over a window, as {@link DoraHistory} computes them. Percentiles are nearest-rank
 * (p50 of 4 values is the 2nd smallest); a key with nothing to measure is empty, never zero.
 *
 * @param deployments       first verifications of a digest in production within the window
 * @param leadTimesKnown    deployments whose source commit time is known (the lead-time sample)
 * @param rollbacks         rollbacks of production within the window
 * @param restores          rollbacks of production restored (by a later verification) within the window
 */
public record DoraFigures(String app, Instant since, Instant until, int deployments, int leadTimesKnown,
        Optional<Duration> leadTimeMedian, Optional<Duration> leadTimeP90, int rollbacks, int restores,
        Optional<Duration> timeToRestoreMedian) {

    /** Deployments per day over the window. */
    public double deploymentsPerDay() {
        double days = Duration.between(since, until).toSeconds() / 86_400.0;
        return days <= 0 ? deployments : deployments / days;
    }

    /** Rollbacks / deployments; empty when nothing deployed. */
    public Optional<Double> changeFailureRate() {
        return deployments == 0 ? Optional.empty() : Optional.of((double) rollbacks / deployments);
    }
}
