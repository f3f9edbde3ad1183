package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;

/** What a verified image means for the next environment of its pipeline. */
sealed interface Promotion permits Promotion.Bump, Promotion.AwaitApproval, Promotion.Finished {

    /** Promote now: bump the next environment. */
    record Bump(BumpRequest request) implements Promotion {
    }

    /** The next environment is gated: a person must send dev.relay.promotion.approved. */
    record AwaitApproval(BumpRequest request) implements Promotion {
    }

    /** The image verified in the last environment of the promotion order: nothing left to promote. */
    record Finished(String app, RelayProperties.Environment environment) implements Promotion {
    }
}
