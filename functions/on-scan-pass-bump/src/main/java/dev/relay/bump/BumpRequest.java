package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;

/**
 * A validated instruction: write {@code image:tag@digest} into one environment of one application.
 *
 * @param sourceCommitTime ISO-8601 commit time of {@code sourceCommit}, when the scan carried it
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
        String sourceCommitTime) {
}
