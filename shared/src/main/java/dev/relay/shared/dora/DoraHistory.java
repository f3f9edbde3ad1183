package dev.relay.shared.dora;

import dev.relay.shared.gitops.CommitRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * The DORA four keys read from a config repository's history alone: the commits Relay writes and their trailers.
 * The functions (metrics, as the closing commit is written) and {@code relay-local dora} (from the whole history) both
 * read them here, so they agree on what counts.
 * <ul>
 *   <li><b>deployment</b>: a ledger commit ({@code Relay-Verified-Digest}) of the production environment for a digest
 *       not verified there before; re-verifying a digest (a re-sync, the restore after a rollback) is not a
 *       deployment.</li>
 *   <li><b>lead time</b>: the deployment's commit time minus the {@code Relay-Source-Commit-Time} of the first bump of
 *       that digest in any environment of the app; unknown when no bump carries it.</li>
 *   <li><b>rollback</b>: a commit of the production environment carrying {@code Relay-Rollback-Reason}.</li>
 *   <li><b>restore</b>: the first production ledger commit after a rollback; time to restore runs from the rollback's
 *       {@code Relay-Breached-At} to that commit.</li>
 * </ul>
 */
public final class DoraHistory {

    public record Deployment(String app, String digest, String commit, Instant at, Optional<Instant> sourceCommitTime) {

        public Optional<Duration> leadTime() {
            return sourceCommitTime.map(source -> Duration.between(source, at)).filter(d -> !d.isNegative());
        }
    }

    public record Rollback(String app, String commit, Instant at, Optional<Instant> breachedAt) {
    }

    public record Restore(Rollback rollback, String commit, Instant at) {

        /** From the breach to the restoring verification; empty when the rollback recorded no breach time. */
        public Optional<Duration> timeToRestore() {
            return rollback.breachedAt().map(breach -> Duration.between(breach, at)).filter(d -> !d.isNegative());
        }
    }

    private final List<Deployment> deployments = new ArrayList<>();
    private final List<Rollback> rollbacks = new ArrayList<>();
    private final List<Restore> restores = new ArrayList<>();

    private DoraHistory() {
    }

    /**
     * @param newestFirst  commits of one branch, newest first (as {@code git log} lists them)
     * @param isProduction which environment of an app is production: {@code (app, environment) -> boolean}
     */
    public static DoraHistory of(List<CommitRecord> newestFirst, BiPredicate<String, String> isProduction) {
        DoraHistory history = new DoraHistory();
        Map<String, Map<String, Instant>> sourceTimes = new HashMap<>();
        Map<String, Set<String>> verified = new HashMap<>();
        Map<String, List<Rollback>> open = new HashMap<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            CommitRecord commit = newestFirst.get(i);
            Optional<String> app = commit.trailer(DoraTrailers.APP);
            Optional<String> environment = commit.trailer(DoraTrailers.ENVIRONMENT);
            if (app.isEmpty() || environment.isEmpty()) {
                continue;
            }
            boolean rollback = commit.trailer(DoraTrailers.ROLLBACK_REASON).isPresent();
            Optional<Instant> sourceTime = commit.trailer(DoraTrailers.SOURCE_COMMIT_TIME).flatMap(DoraTrailers::parse);
            Optional<String> bumped = commit.trailer(DoraTrailers.IMAGE_DIGEST);
            if (!rollback && sourceTime.isPresent() && bumped.isPresent()) {
                sourceTimes.computeIfAbsent(app.get(), a -> new HashMap<>())
                        .putIfAbsent(bumped.get(), sourceTime.get());
            }
            if (!isProduction.test(app.get(), environment.get())) {
                continue;
            }
            if (rollback) {
                Rollback r = new Rollback(app.get(), commit.id(), commit.time(),
                        commit.trailer(DoraTrailers.BREACHED_AT).flatMap(DoraTrailers::parse));
                history.rollbacks.add(r);
                open.computeIfAbsent(app.get(), a -> new ArrayList<>()).add(r);
                continue;
            }
            Optional<String> digest = commit.trailer(DoraTrailers.VERIFIED_DIGEST);
            if (digest.isEmpty()) {
                continue;
            }
            for (Rollback restored : open.getOrDefault(app.get(), List.of())) {
                history.restores.add(new Restore(restored, commit.id(), commit.time()));
            }
            open.remove(app.get());
            if (verified.computeIfAbsent(app.get(), a -> new HashSet<>()).add(digest.get())) {
                history.deployments.add(new Deployment(app.get(), digest.get(), commit.id(), commit.time(),
                        Optional.ofNullable(sourceTimes.getOrDefault(app.get(), Map.of()).get(digest.get()))));
            }
        }
        return history;
    }

    public List<Deployment> deployments() {
        return List.copyOf(deployments);
    }

    public List<Rollback> rollbacks() {
        return List.copyOf(rollbacks);
    }

    public List<Restore> restores() {
        return List.copyOf(restores);
    }

    /** The deployment commit {@code commit} made, if it was one. */
    public Optional<Deployment> deployment(String commit) {
        return deployments.stream().filter(d -> d.commit().equals(commit)).findFirst();
    }

    /** The rollbacks commit {@code commit} restored (usually none or one). */
    public List<Restore> restoredBy(String commit) {
        return restores.stream().filter(r -> r.commit().equals(commit)).toList();
    }

    /** Apps with a deployment or a rollback, sorted. */
    public Set<String> apps() {
        Set<String> apps = new TreeSet<>();
        deployments.forEach(d -> apps.add(d.app()));
        rollbacks.forEach(r -> apps.add(r.app()));
        return apps;
    }

    /** The earliest deployment or rollback, to start a window that was not given. */
    public Optional<Instant> first() {
        return java.util.stream.Stream.concat(deployments.stream().map(Deployment::at),
                rollbacks.stream().map(Rollback::at)).min(Comparator.naturalOrder());
    }

    /** The keys of {@code app} for what happened in {@code [since, until)}. */
    public DoraFigures figures(String app, Instant since, Instant until) {
        List<Deployment> deployed = deployments.stream()
                .filter(d -> d.app().equals(app) && within(d.at(), since, until)).toList();
        List<Duration> leadTimes = deployed.stream().map(Deployment::leadTime).flatMap(Optional::stream).toList();
        long rolledBack = rollbacks.stream().filter(r -> r.app().equals(app) && within(r.at(), since, until)).count();
        List<Duration> restoreTimes = restores.stream()
                .filter(r -> r.rollback().app().equals(app) && within(r.at(), since, until))
                .map(Restore::timeToRestore).flatMap(Optional::stream).toList();
        return new DoraFigures(app, since, until, deployed.size(), leadTimes.size(), percentile(leadTimes, 0.5),
                percentile(leadTimes, 0.9), (int) rolledBack, restoreTimes.size(), percentile(restoreTimes, 0.5));
    }

    /** Nearest-rank percentile: the smallest value with at least {@code p} of the sample at or below it. */
    static Optional<Duration> percentile(List<Duration> values, double p) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        List<Duration> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p * sorted.size());
        return Optional.of(sorted.get(Math.max(0, rank - 1)));
    }

    private static boolean within(Instant at, Instant since, Instant until) {
        return !at.isBefore(since) && at.isBefore(until);
    }
}
