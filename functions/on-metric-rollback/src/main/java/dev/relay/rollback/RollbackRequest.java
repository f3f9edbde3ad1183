package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import java.time.Instant;

/**
 * A validated instruction: take one environment of one application back to its last verified image.
 *
 * @param badDigest   the digest to roll back (verify.failed: the event's); null: the manifest's current one
 * @param badTag      the tag to roll back when known from the event
 * @param metric      the breached metric's name (metric.breached), for the commit body
 * @param metricValue the measured value: Prometheus' when it confirmed the breach, else the event's; may be null
 * @param threshold   the event's threshold, may be null
 * @param evidence    one line on how the breach was established (e.g. the Prometheus measurement); may be null
 * @param breachedAt  when the breach began (the alert's {@code startsAt}, else the event's time); null when unknown
 */
public record RollbackRequest(
        String eventId,
        String trace,
        String app,
        RelayProperties.Pipeline pipeline,
        RelayProperties.Environment environment,
        RollbackCause cause,
        String badDigest,
        String badTag,
        String metric,
        Double metricValue,
        Double threshold,
        String evidence,
        Instant breachedAt) {

    /** A copy carrying what Prometheus measured. */
    RollbackRequest confirmedBy(double measured, String how) {
        return new RollbackRequest(eventId, trace, app, pipeline, environment, cause, badDigest, badTag, metric,
                measured, threshold, how, breachedAt);
    }
}
