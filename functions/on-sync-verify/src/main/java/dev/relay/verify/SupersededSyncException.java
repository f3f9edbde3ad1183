package dev.relay.verify;

/**
 * The Argo CD Application is already synced to another revision than the event's: the event is stale, and judging
 * the newer rollout against the older revision would report a failure (and trigger a rollback) that is not real.
 * The newer sync brings its own event.
 */
final class SupersededSyncException extends RuntimeException {

    SupersededSyncException(String detail) {
        super(detail);
    }
}
