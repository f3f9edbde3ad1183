package dev.relay.bump;

/** What a bump did: a new commit, or nothing because the change is already there or must not happen. */
public sealed interface BumpOutcome permits BumpOutcome.Bumped, BumpOutcome.Unchanged {

    BumpRequest request();

    record Bumped(BumpRequest request, String commit, String previousTag, int attempts) implements BumpOutcome {
    }

    /**
     * @param reason     {@code already-applied} (the config repository records this event as applied),
     *                   {@code already-at-image}, {@code held} (a rollback holds this digest out of the environment),
     *                   {@code filtered} (the pipeline's tag policy does not take this tag) or {@code superseded}
     *                   (the environment has a newer image)
     * @param commit     the commit that applied it, when known
     * @param newerImage with {@code superseded}: the newer image, {@code image:tag[@digest]}
     * @param detail     why, for the log
     */
    record Unchanged(BumpRequest request, String reason, String commit, String newerImage, String detail)
            implements BumpOutcome {

        Unchanged(BumpRequest request, String reason, String commit) {
            this(request, reason, commit, null, null);
        }
    }
}
