package dev.relay.rollback;

/** What a rollback did: a revert commit (new or, on redelivery, the earlier one), or nothing and why. */
public sealed interface RollbackOutcome permits RollbackOutcome.RolledBack, RollbackOutcome.Skipped {

    RollbackRequest request();

    /**
     * @param fromImage      the bad image reference that was replaced ({@code image:tag@digest}, parts may be missing)
     * @param toImage        the verified image now in the manifest
     * @param alreadyApplied a redelivery: {@code commit} is the commit this event made earlier
     */
    record RolledBack(RollbackRequest request, String commit, String fromImage, String toImage, int attempts,
            boolean alreadyApplied) implements RollbackOutcome {
    }

    /**
     * @param code   low-cardinality reason for metrics: {@code not-confirmed}, {@code no-data},
     *               {@code already-rolled-back}, {@code no-verified-image}
     * @param reason the human reason put into the answer
     */
    record Skipped(RollbackRequest request, String code, String reason, String fromImage)
            implements RollbackOutcome {
    }
}
