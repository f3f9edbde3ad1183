package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;

/**
 * A validated instruction: write {@code image:tag@digest} into one environment of one application.
 *
 * @param sourceCommitTime ISO-8601 commit time of {@code sourceCommit}, when the scan carried it
 * @param traceParent      the W3C {@code traceparent} of the span that bumps, recorded in the commit so the
 *                         verification after the GitOps sync continues the trace; null when no span is current
 */
public record BumpRequest(
        String eventId,
        String trace,
        String app,
        RelayProperties.Pipeline pipeline,
        RelayProperties.Environment environment,
        String image,
        String tag,
        String digest,
        String sourceCommit,
        String approvedBy,
        String sourceCommitTime,
        String traceParent) {

    /** The same request, bumped in the span {@code value} names (a valid {@code traceparent}, or null). */
    public BumpRequest withTraceParent(String value) {
        return new BumpRequest(eventId, trace, app, pipeline, environment, image, tag, digest, sourceCommit, approvedBy,
                sourceCommitTime, value);
    }
}
