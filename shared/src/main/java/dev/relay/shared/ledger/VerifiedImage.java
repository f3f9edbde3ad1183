package dev.relay.shared.ledger;

import java.time.Instant;

/** An image that on-sync-verify proved healthy in one environment, as recorded in the config repository. */
public record VerifiedImage(String app, String environment, String image, String tag, String digest,
        String revision, String commit, Instant verifiedAt) {
}
