package dev.relay.shared.gitops;

/**
 * Observes the push retry loop of {@link GitOpsWriter} (for metrics). Methods are called on the writing thread,
 * must be cheap and must not throw; the default implementations do nothing.
 */
public interface GitWriteListener {

    /** A listener that ignores everything. */
    GitWriteListener NONE = new GitWriteListener() {
    };

    /** A push to {@code repo} was rejected in a way that is retried (non-fast-forward, lock): one retry follows. */
    default void pushRejected(ConfigRepository repo) {
    }

    /** A push to {@code repo} was still rejected after the configured maximum number of attempts. */
    default void pushAttemptsExhausted(ConfigRepository repo) {
    }
}
