package dev.relay.shared.events;

/** The CloudEvent types of Relay's event contract (docs/EVENTS.md). */
public final class RelayEventTypes {

    public static final String GIT_PUSHED = "dev.relay.git.pushed";
    public static final String BUILD_STARTED = "dev.relay.build.started";
    public static final String BUILD_SKIPPED = "dev.relay.build.skipped";
    public static final String BUILD_FAILED = "dev.relay.build.failed";
    public static final String IMAGE_PUSHED = "dev.relay.image.pushed";
    public static final String SCAN_STARTED = "dev.relay.scan.started";
    public static final String SCAN_PASSED = "dev.relay.scan.passed";
    public static final String SCAN_FAILED = "dev.relay.scan.failed";
    public static final String SCAN_ERRORED = "dev.relay.scan.errored";
    public static final String MANIFEST_BUMPED = "dev.relay.manifest.bumped";
    public static final String MANIFEST_UNCHANGED = "dev.relay.manifest.unchanged";
    public static final String PROMOTION_PENDING = "dev.relay.promotion.pending";
    public static final String PROMOTION_APPROVED = "dev.relay.promotion.approved";
    public static final String PROMOTION_REJECTED = "dev.relay.promotion.rejected";
    public static final String SYNC_SUCCEEDED = "dev.relay.sync.succeeded";
    public static final String VERIFY_PASSED = "dev.relay.verify.passed";
    public static final String VERIFY_FAILED = "dev.relay.verify.failed";
    /** Checks ran, but the image cannot be named by digest: nothing to record, promote or roll back. */
    public static final String VERIFY_INCONCLUSIVE = "dev.relay.verify.inconclusive";
    public static final String METRIC_BREACHED = "dev.relay.metric.breached";
    public static final String ROLLBACK_COMPLETED = "dev.relay.rollback.completed";
    public static final String ROLLBACK_SKIPPED = "dev.relay.rollback.skipped";
    /**
     * A reconcile tick: the event of the PingSource {@code relay-reconcile} (Knative fixes a PingSource's type; its
     * {@code ceOverrides} set extensions only), which relay-local's timer sends in the same shape.
     */
    public static final String RECONCILE_TICK = "dev.knative.sources.ping";
    /** The source of a reconcile tick: the PingSource {@code relay-reconcile} in namespace {@code relay}. */
    public static final String RECONCILE_TICK_SOURCE = "/apis/v1/namespaces/relay/pingsources/relay-reconcile";
    public static final String RECONCILE_COMPLETED = "dev.relay.reconcile.completed";
    public static final String RECONCILE_ERRORED = "dev.relay.reconcile.errored";

    private RelayEventTypes() {
    }
}
