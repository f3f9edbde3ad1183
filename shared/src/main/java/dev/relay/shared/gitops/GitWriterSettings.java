package dev.relay.shared.gitops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link GitOpsWriter}.
 *
 * @param cacheDir       parent directory of the per-repository clones
 * @param depth          shallow clone depth (also bounds the idempotency scan of a fresh clone)
 * @param maxAttempts    push attempts before giving up with {@link RetryableGitException}
 * @param initialBackoff first delay after a rejected push; doubles per attempt, jittered
 * @param maxBackoff     upper bound of the delay
 * @param authorName     author and committer name
 * @param authorEmail    author and committer email
 * @param timeout        network timeout of each clone, fetch and push
 */
public record GitWriterSettings(Path cacheDir, int depth, int maxAttempts, Duration initialBackoff,
        Duration maxBackoff, String authorName, String authorEmail, Duration timeout) {

    public static final int DEFAULT_DEPTH = 50;
    public static final int DEFAULT_MAX_ATTEMPTS = 6;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(3);
    public static final String DEFAULT_AUTHOR_NAME = "Relay";
    public static final String DEFAULT_AUTHOR_EMAIL = "relay@relay.dev";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public GitWriterSettings {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(authorName, "authorName");
        Objects.requireNonNull(authorEmail, "authorEmail");
        Objects.requireNonNull(timeout, "timeout");
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
    }

    public static GitWriterSettings defaults(Path cacheDir) {
        return new GitWriterSettings(cacheDir, DEFAULT_DEPTH, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF,
                DEFAULT_MAX_BACKOFF, DEFAULT_AUTHOR_NAME, DEFAULT_AUTHOR_EMAIL, DEFAULT_TIMEOUT);
    }

    public GitWriterSettings withBackoff(Duration initial, Duration max) {
        return new GitWriterSettings(cacheDir, depth, maxAttempts, initial, max, authorName, authorEmail, timeout);
    }

    public GitWriterSettings withMaxAttempts(int attempts) {
        return new GitWriterSettings(cacheDir, depth, attempts, initialBackoff, maxBackoff, authorName,
                authorEmail, timeout);
    }
}
