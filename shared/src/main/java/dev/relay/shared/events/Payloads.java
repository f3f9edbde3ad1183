package dev.relay.shared.events;

import java.util.List;

/**
 * Data payloads of Relay's event types, one record per shape (docs/EVENTS.md). Fields may be added, never renamed.
 */
public final class Payloads {

    private Payloads() {
    }

    /** {@code commitTime}: ISO-8601 committer time of {@code commit}, when the producer tells it (DORA lead time). */
    public record GitPushed(String repository, String ref, String commit, String before, String pusher,
            String provider, String commitTime) {

        public GitPushed(String repository, String ref, String commit, String before, String pusher,
                String provider) {
            this(repository, ref, commit, before, pusher, provider, null);
        }
    }

    /**
     * {@code logTail}: the last lines of a failed build's log (each bounded, control characters replaced), for
     * {@code dev.relay.build.failed}.
     */
    public record Build(String repository, String commit, String image, String builder, String job,
            String reason, List<String> logTail) {

        public Build(String repository, String commit, String image, String builder, String job, String reason) {
            this(repository, commit, image, builder, job, reason, null);
        }
    }

    /**
     * {@code dev.relay.scan.started}: the scan runs as {@code job}; its completion answers scan.passed / .failed /
     * .errored later, carrying the same image, digest and source commit.
     */
    public record ScanStarted(String image, String tag, String digest, String job, String backend,
            String sourceCommit, String sourceCommitTime) {
    }

    /** {@code sourceCommitTime}: ISO-8601 commit time of {@code sourceCommit}, when known (for the DORA lead time). */
    public record ImagePushed(String image, String tag, String digest, String registry, String sourceCommit,
            String sourceCommitTime) {

        public ImagePushed(String image, String tag, String digest, String registry, String sourceCommit) {
            this(image, tag, digest, registry, sourceCommit, null);
        }
    }

    public record SeverityCounts(int critical, int high, int medium, int low, int unknown) {
    }

    public record Scan(String image, String tag, String digest, SeverityCounts counts, String policy,
            List<String> blocking, String reason, String sourceCommit, String sourceCommitTime) {

        public Scan(String image, String tag, String digest, SeverityCounts counts, String policy,
                List<String> blocking, String reason, String sourceCommit) {
            this(image, tag, digest, counts, policy, blocking, reason, sourceCommit, null);
        }
    }

    /**
     * {@code reason} (manifest.unchanged): {@code already-applied}, {@code already-at-image}, {@code held},
     * {@code filtered} or {@code superseded}; {@code newerImage} ({@code superseded}): the newer image the
     * environment has, {@code image:tag} with {@code @digest} when known.
     */
    public record Manifest(String app, String environment, String image, String tag, String digest,
            String configRepository, String path, String commit, String previousTag, String reason,
            String newerImage) {

        public Manifest(String app, String environment, String image, String tag, String digest,
                String configRepository, String path, String commit, String previousTag, String reason) {
            this(app, environment, image, tag, digest, configRepository, path, commit, previousTag, reason, null);
        }
    }

    public record PromotionPending(String app, String environment, String image, String tag, String digest,
            String approvalType) {
    }

    public record PromotionApproved(String app, String environment, String digest, String approver) {
    }

    /** A person refused a pending promotion; {@code approver} is the authenticated identity that refused it. */
    public record PromotionRejected(String app, String environment, String digest, String approver, String reason) {
    }

    public record SyncSucceeded(String app, String environment, String revision, String provider) {
    }

    public record Check(String name, boolean ok, String detail) {
    }

    public record Verify(String app, String environment, String image, String digest, List<Check> checks,
            String tag) {
    }

    public record MetricBreached(String app, String environment, String metric, Double value, Double threshold) {
    }

    public record Rollback(String app, String environment, String fromImage, String toImage, String commit,
            String reason) {
    }
}
