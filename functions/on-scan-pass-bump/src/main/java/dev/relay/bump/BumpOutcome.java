package dev.relay.bump;

/** What a bump did: a new commit, or nothing because the change is already there. */
public sealed interface BumpOutcome permits BumpOutcome.Bumped, BumpOutcome.Unchanged {

    BumpRequest request();

    record Bumped(BumpRequest request, String commit, String previousTag, int attempts) implements BumpOutcome {
    }

    /**
     * @param reason {@code already-applied} (a commit carries this event id), {@code already-at-image}, or
     *               {@code held} (a rollback holds this digest out of the environment)
     * @param commit the commit that applied it, when known
     */
    record Unchanged(BumpRequest request, String reason, String commit) implements BumpOutcome {
    }
}
