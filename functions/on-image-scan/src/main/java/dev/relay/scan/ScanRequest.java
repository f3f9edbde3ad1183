package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;

/**
 * One image to scan, by digest.
 *
 * @param app     the pipeline that owns the image
 * @param image   the image repository, e.g. {@code registry.example.com/team/web-app}
 * @param tag     the pushed tag, when known (carried into the answer, never scanned)
 * @param eventId the id of the {@code image.pushed} event
 * @param trace   the chain's {@code relaytrace}
 * @param sourceCommitTime ISO-8601 time of {@code sourceCommit} when known, carried into the answer
 */
public record ScanRequest(String app, RelayProperties.Scan config, String image, String tag, String digest,
        String sourceCommit, String eventId, String trace, String sourceCommitTime) {

    public ScanRequest(String app, RelayProperties.Scan config, String image, String tag, String digest,
            String sourceCommit, String eventId, String trace) {
        this(app, config, image, tag, digest, sourceCommit, eventId, trace, null);
    }

    /** {@code <image>@<digest>}: what is scanned; a tag could move between the push and the scan. */
    public String reference() {
        return image + "@" + digest;
    }

    public String backendName() {
        return config.backend().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
