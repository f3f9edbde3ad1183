package dev.relay.shared.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LogCommand;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link RepoEdit}s to a branch of a configuration repository: sync a cached shallow clone, skip
 * events already on the branch, apply, commit with a {@code Relay-Event-Id} trailer, push; on a rejected
 * push re-sync and re-apply with jittered exponential backoff.
 *
 * <p>Writes to one repository are serialized per cache directory. Edits queued while a write is in flight
 * are handled together by the next writer (group commit): one commit per edit, one push for all of them.
 */
public final class GitOpsWriter {

    private static final Logger LOG = LoggerFactory.getLogger(GitOpsWriter.class);
    private static final Map<Path, RepoQueue> QUEUES = new ConcurrentHashMap<>();
    static final int MAX_BATCH = 64;
    private static final int MAX_SCAN = 10_000;
    private static final long MAX_DEEPEN = 100_000;
    private static final String ORIGIN = "origin";

    private final GitWriterSettings settings;
    private final GitWriteListener listener;

    public GitOpsWriter(GitWriterSettings settings) {
        this(settings, GitWriteListener.NONE);
    }

    /** @param listener told about rejected and exhausted pushes (for metrics); {@code null} means none */
    public GitOpsWriter(GitWriterSettings settings, GitWriteListener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = listener == null ? GitWriteListener.NONE : listener;
    }

    /**
     * Resolves a repository-relative path inside {@code workTree}.
     *
     * @throws InvalidRepoPathException if the path is absolute, contains {@code ..}, points into {@code .git}
     *                                  or leaves the work tree through a symlink
     */
    public static Path resolveInside(Path workTree, String relativePath) {
        return WorkTreePaths.resolveInside(workTree, relativePath);
    }

    /**
     * Applies {@code edit} and pushes it.
     *
     * @throws RetryableGitException       network or I/O failure, or push still rejected after maxAttempts
     * @throws GitAuthenticationException  credentials rejected
     * @throws InvalidRepoPathException    the edit touched a path outside the work tree
     * @throws PushRejectedException       the remote refused the push for another reason (hook, protection)
     */
    public WriteOutcome write(ConfigRepository repo, RepoEdit edit) {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(edit, "edit");
        Pending pending = new Pending(edit, requireEventId(edit.eventId()));
        RepoQueue queue = queue(repo);
        queue.waiting.add(pending);
        queue.lock.lock();
        try {
            while (!pending.result.isDone()) {
                List<Pending> batch = queue.drain();
                new Batch(repo, batch).run();
            }
        } finally {
            queue.lock.unlock();
        }
        return pending.outcome();
    }

    /** The content of {@code path} on the branch's current head, if the file exists. */
    public Optional<String> readFile(ConfigRepository repo, String path) {
        RepoQueue queue = queue(repo);
        queue.lock.lock();
        try (GitAccess access = GitAccess.open(repo, sshHome(), timeoutSeconds());
             Git git = new Batch(repo, List.of()).sync(access)) {
            Path file = resolveInside(git.getRepository().getWorkTree().toPath(), path);
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
                    : Optional.empty();
        } catch (IOException e) {
            throw new RetryableGitException("cannot read " + path + " of " + repo.redactedUrl(), e);
        } finally {
            queue.lock.unlock();
        }
    }

    /**
     * Commits of the branch's current head that touch {@code path}, newest first, at most {@code limit}, within
     * the history the cache holds (at least the configured depth).
     */
    public List<CommitRecord> history(ConfigRepository repo, String path, int limit) {
        return history(repo, List.of(path), limit);
    }

    /** Commits of the branch's current head that touch any of {@code paths}, newest first, at most {@code limit}. */
    public List<CommitRecord> history(ConfigRepository repo, List<String> paths, int limit) {
        RepoQueue queue = queue(repo);
        queue.lock.lock();
        try (GitAccess access = GitAccess.open(repo, sshHome(), timeoutSeconds());
             Git git = new Batch(repo, List.of()).sync(access)) {
            LogCommand log = git.log().setMaxCount(limit);
            for (String path : paths) {
                resolveInside(git.getRepository().getWorkTree().toPath(), path);
                log.addPath(path);
            }
            List<CommitRecord> records = new ArrayList<>();
            for (RevCommit commit : log.call()) {
                records.add(CommitRecord.of(commit));
            }
            return records;
        } catch (GitAPIException e) {
            throw new RetryableGitException("cannot read the history of " + String.join(", ", paths) + " in "
                    + repo.redactedUrl(), e);
        } finally {
            queue.lock.unlock();
        }
    }

    /**
     * The commit on the branch's head that carries {@code Relay-Event-Id: eventId}, searched through the whole
     * history: the cached clone is deepened (fourfold each round, then unshallowed) until the commit is found or the
     * history ends. For an event the config repository records as applied but whose commit lies beyond the cache.
     */
    public Optional<String> commitWithEventId(ConfigRepository repo, String eventId) {
        String id = requireEventId(eventId);
        RepoQueue queue = queue(repo);
        queue.lock.lock();
        try (GitAccess access = GitAccess.open(repo, sshHome(), timeoutSeconds())) {
            Batch batch = new Batch(repo, List.of());
            try (Git git = batch.sync(access)) {
                for (int depth = settings.depth(); ; depth = (int) Math.min(Integer.MAX_VALUE, depth * 4L)) {
                    Optional<String> found = Optional.ofNullable(batch.eventIndex(git, Integer.MAX_VALUE).get(id));
                    if (found.isPresent() || !batch.isShallow(git)) {
                        return found;
                    }
                    batch.deepen(git, depth * 4L > MAX_DEEPEN ? 0 : depth * 4);
                }
            }
        } finally {
            queue.lock.unlock();
        }
    }

    /** The clone used for {@code repo}: one directory per URL and branch under the cache directory. */
    public Path cacheDir(ConfigRepository repo) {
        return settings.cacheDir().toAbsolutePath().normalize()
                .resolve(RemoteUrls.cacheKey(repo.url(), repo.branch()));
    }

    /** Edits waiting for the repository lock (for tests of group commit). */
    int queued(ConfigRepository repo) {
        return queue(repo).waiting.size();
    }

    private RepoQueue queue(ConfigRepository repo) {
        return QUEUES.computeIfAbsent(cacheDir(repo), dir -> new RepoQueue());
    }

    private Path sshHome() {
        return settings.cacheDir().toAbsolutePath().normalize().resolve(".ssh");
    }

    private int timeoutSeconds() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, settings.timeout().toSeconds()));
    }

    private static String requireEventId(String eventId) {
        if (eventId == null || eventId.isBlank() || eventId.length() > 256
                || eventId.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("eventId must be one non-blank line of at most 256 characters");
        }
        return eventId.strip();
    }

    private static final class RepoQueue {
        final ReentrantLock lock = new ReentrantLock();
        final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();

        List<Pending> drain() {
            List<Pending> batch = new ArrayList<>();
            Pending next;
            while (batch.size() < MAX_BATCH && (next = waiting.poll()) != null) {
                batch.add(next);
            }
            return batch;
        }
    }

    private static final class Pending {
        final RepoEdit edit;
        final String eventId;
        final CompletableFuture<WriteOutcome> result = new CompletableFuture<>();
        WriteOutcome provisional;

        Pending(RepoEdit edit, String eventId) {
            this.edit = edit;
            this.eventId = eventId;
        }

        void fail(RuntimeException e) {
            result.completeExceptionally(e);
        }

        WriteOutcome outcome() {
            try {
                return result.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new GitOpsException("write failed", e.getCause());
            }
        }
    }

    private enum PushVerdict { OK, RETRY }

    /** One sync-apply-commit-push cycle (with retries) for the edits queued for one repository. */
    private final class Batch {
        private final ConfigRepository repo;
        private final List<Pending> batch;
        private final Path dir;
        private final String localRef;
        private final String remoteRef;
        private GitAccess access;

        Batch(ConfigRepository repo, List<Pending> batch) {
            this.repo = repo;
            this.batch = batch;
            this.dir = cacheDir(repo);
            this.localRef = Constants.R_HEADS + repo.branch();
            this.remoteRef = Constants.R_REMOTES + ORIGIN + "/" + repo.branch();
        }

        void run() {
            try (GitAccess opened = GitAccess.open(repo, sshHome(), timeoutSeconds()); Git git = sync(opened)) {
                attempts(git);
            } catch (GitOpsException e) {
                failLive(e);
            } catch (RuntimeException e) {
                failLive(new RetryableGitException("unexpected failure writing to " + repo.redactedUrl() + ": " + e, e));
            } finally {
                failLive(new RetryableGitException("write to " + repo.redactedUrl() + " was not completed"));
            }
        }

        private void attempts(Git git) {
            for (int attempt = 1; ; attempt++) {
                if (attempt > 1) {
                    backoff(attempt);
                    fetchAndReset(git);
                }
                Map<String, String> applied = eventIndex(git, MAX_SCAN);
                List<Pending> committed = new ArrayList<>();
                for (Pending pending : live()) {
                    pending.provisional = null;
                    String existing = applied.get(pending.eventId);
                    if (existing != null) {
                        pending.provisional = new WriteOutcome.AlreadyApplied(existing);
                        continue;
                    }
                    try {
                        pending.provisional = applyAndCommit(git, pending, attempt);
                    } catch (RuntimeException | IOException e) {
                        discardChanges(git);
                        pending.fail(editFailure(pending, e));
                        continue;
                    }
                    if (pending.provisional instanceof WriteOutcome.Committed c) {
                        applied.put(pending.eventId, c.commitId());
                        committed.add(pending);
                    }
                }
                if (committed.isEmpty() || push(git) == PushVerdict.OK) {
                    live().forEach(p -> p.result.complete(p.provisional));
                    return;
                }
                if (attempt >= settings.maxAttempts()) {
                    notify(() -> listener.pushAttemptsExhausted(repo));
                    for (Pending pending : committed) {
                        pending.fail(new RetryableGitException("push to " + repo.redactedUrl() + " branch "
                                + repo.branch() + " still rejected after " + attempt + " attempts"));
                    }
                    live().forEach(p -> p.result.complete(p.provisional));
                    return;
                }
                LOG.debug("push to {} rejected (attempt {}), retrying on the new head", repo.redactedUrl(), attempt);
                notify(() -> listener.pushRejected(repo));
            }
        }

        private void notify(Runnable call) {
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.warn("git write listener failed: {}", e.toString());
            }
        }

        private List<Pending> live() {
            return batch.stream().filter(p -> !p.result.isDone()).toList();
        }

        private void failLive(RuntimeException e) {
            live().forEach(p -> p.fail(e));
        }

        private WriteOutcome applyAndCommit(Git git, Pending pending, int attempt) throws IOException {
            Path workTree = git.getRepository().getWorkTree().toPath();
            List<FileChange> changes = pending.edit.apply(workTree);
            if (changes == null || changes.isEmpty()) {
                discardChanges(git);
                return new WriteOutcome.NoChange();
            }
            for (FileChange change : changes) {
                resolveInside(workTree, change.path());
            }
            try {
                Set<String> touched = touchedPaths(git.status().call());
                for (String path : touched) {
                    resolveInside(workTree, path);
                }
                if (touched.isEmpty()) {
                    return new WriteOutcome.NoChange();
                }
                git.add().addFilepattern(".").call();
                git.add().setUpdate(true).addFilepattern(".").call();
                CommitMessage message = pending.edit.message(changes)
                        .withTrailer(CommitMessage.EVENT_ID_TRAILER, pending.eventId);
                PersonIdent ident = new PersonIdent(settings.authorName(), settings.authorEmail());
                RevCommit commit = git.commit().setMessage(message.render()).setAuthor(ident)
                        .setCommitter(ident).setSign(false).setNoVerify(true).call();
                return new WriteOutcome.Committed(commit.name(), changes, attempt);
            } catch (GitAPIException e) {
                throw new IOException("commit failed: " + e.getMessage(), e);
            }
        }

        private Set<String> touchedPaths(Status status) {
            Set<String> touched = new LinkedHashSet<>();
            touched.addAll(status.getModified());
            touched.addAll(status.getUntracked());
            touched.addAll(status.getMissing());
            touched.addAll(status.getAdded());
            touched.addAll(status.getChanged());
            touched.addAll(status.getRemoved());
            return touched;
        }

        private RuntimeException editFailure(Pending pending, Exception e) {
            if (e instanceof RuntimeException runtime) {
                return runtime;
            }
            String message = "edit " + pending.eventId + " failed on " + repo.redactedUrl() + ": " + e;
            return e instanceof NoSuchFileException ? new GitOpsException(message, e)
                    : new RetryableGitException(message, e);
        }

        private PushVerdict push(Git git) {
            Iterable<PushResult> results;
            try {
                results = access.configure(git.push()).setRemote(ORIGIN)
                        .setRefSpecs(new RefSpec(localRef + ":" + localRef)).call();
            } catch (GitAPIException | RuntimeException e) {
                throw access.translate("push", e);
            }
            for (PushResult result : results) {
                RemoteRefUpdate update = result.getRemoteUpdate(localRef);
                if (update == null) {
                    continue;
                }
                switch (update.getStatus()) {
                    case OK, UP_TO_DATE:
                        break;
                    case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED, AWAITING_REPORT, NOT_ATTEMPTED:
                        return PushVerdict.RETRY;
                    case REJECTED_OTHER_REASON:
                        String reason = access.scrub(update.getMessage());
                        if (reason.toLowerCase(java.util.Locale.ROOT).contains("lock")) {
                            return PushVerdict.RETRY;
                        }
                        throw new PushRejectedException("push to " + repo.redactedUrl() + " branch " + repo.branch()
                                + " rejected: " + reason);
                    default:
                        throw new PushRejectedException("push to " + repo.redactedUrl() + " branch " + repo.branch()
                                + " rejected: " + update.getStatus());
                }
            }
            return PushVerdict.OK;
        }

        /** Opens the cached clone and syncs it with the remote branch; re-clones a missing or corrupt cache. */
        Git sync(GitAccess opened) {
            this.access = opened;
            if (Files.isDirectory(dir.resolve(Constants.DOT_GIT))) {
                Git git = null;
                try {
                    git = Git.open(dir.toFile());
                    String url = git.getRepository().getConfig().getString("remote", ORIGIN, "url");
                    if (!repo.url().equals(url)) {
                        throw new IOException("cached clone points at another remote");
                    }
                    fetchAndReset(git);
                    return git;
                } catch (GitOpsException e) {
                    closeQuietly(git);
                    throw e;
                } catch (IOException | RuntimeException e) {
                    closeQuietly(git);
                    LOG.warn("discarding unusable cached clone {} of {}: {}", dir, repo.redactedUrl(), e.toString());
                }
            }
            deleteRecursively(dir);
            return cloneFresh();
        }

        private Git cloneFresh() {
            try {
                Files.createDirectories(dir.getParent());
                Git git = access.configure(Git.cloneRepository()).setURI(repo.url()).setDirectory(dir.toFile())
                        .setBranch(localRef).setBranchesToClone(List.of(localRef)).setCloneAllBranches(false)
                        .setDepth(settings.depth()).setTagOption(TagOpt.NO_TAGS).call();
                if (git.getRepository().exactRef(remoteRef) == null) {
                    git.close();
                    throw new GitOpsException("branch " + repo.branch() + " not found in " + repo.redactedUrl());
                }
                return git;
            } catch (GitAPIException | RuntimeException | IOException e) {
                deleteRecursively(dir);
                if (e instanceof GitOpsException gitOps) {
                    throw gitOps;
                }
                if (e instanceof IOException) {
                    throw new RetryableGitException("cannot create cache directory " + dir, e);
                }
                throw access.translate("clone", e);
            }
        }

        private void fetchAndReset(Git git) {
            try {
                access.configure(git.fetch()).setRemote(ORIGIN).setTagOpt(TagOpt.NO_TAGS)
                        .setRefSpecs(new RefSpec("+" + localRef + ":" + remoteRef)).call();
            } catch (GitAPIException | RuntimeException e) {
                if (GitAccess.isTransportFailure(e)) {
                    throw access.translate("fetch", e);
                }
                throw new CorruptCacheException(e);
            }
            try {
                if (git.getRepository().exactRef(remoteRef) == null) {
                    throw new GitOpsException("branch " + repo.branch() + " not found in " + repo.redactedUrl());
                }
                git.reset().setMode(ResetType.HARD).setRef(remoteRef).call();
                git.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
                requireBranchAtRemote(git.getRepository());
            } catch (GitAPIException | IOException e) {
                throw new CorruptCacheException(e);
            }
        }

        /**
         * A process killed in the middle of a Git write (a clone, a commit) can leave HEAD detached, the local branch
         * missing or pointing elsewhere; such a cache is discarded rather than pushed from.
         */
        private void requireBranchAtRemote(Repository repository) throws IOException {
            Ref head = repository.exactRef(Constants.HEAD);
            Ref local = repository.exactRef(localRef);
            Ref remote = repository.exactRef(remoteRef);
            if (head == null || !head.isSymbolic() || !localRef.equals(head.getTarget().getName()) || local == null
                    || remote == null || !remote.getObjectId().equals(local.getObjectId())) {
                throw new IOException("cached clone's " + localRef + " does not follow " + remoteRef);
            }
        }

        private void discardChanges(Git git) {
            try {
                git.reset().setMode(ResetType.HARD).call();
                git.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
            } catch (GitAPIException | RuntimeException e) {
                throw new RetryableGitException("cannot reset work tree of " + repo.redactedUrl(), e);
            }
        }

        boolean isShallow(Git git) {
            try {
                return !git.getRepository().getObjectDatabase().getShallowCommits().isEmpty();
            } catch (IOException e) {
                throw new RetryableGitException("cannot read the cached clone of " + repo.redactedUrl(), e);
            }
        }

        /** Fetches the branch {@code depth} commits deep; 0: its whole history. */
        void deepen(Git git, int depth) {
            try {
                FetchCommand fetch = access.configure(git.fetch()).setRemote(ORIGIN).setTagOpt(TagOpt.NO_TAGS)
                        .setRefSpecs(new RefSpec("+" + localRef + ":" + remoteRef));
                (depth > 0 ? fetch.setDepth(depth) : fetch.setUnshallow(true)).call();
            } catch (GitAPIException | RuntimeException e) {
                throw access.translate("fetch", e);
            }
        }

        Map<String, String> eventIndex(Git git, int maxScan) {
            Map<String, String> index = new HashMap<>();
            try (RevWalk walk = new RevWalk(git.getRepository())) {
                ObjectId head = git.getRepository().resolve(Constants.HEAD);
                if (head == null) {
                    return index;
                }
                walk.markStart(walk.parseCommit(head));
                int scanned = 0;
                for (RevCommit commit : walk) {
                    for (String id : commit.getFooterLines(CommitMessage.EVENT_ID_TRAILER)) {
                        index.putIfAbsent(id.strip(), commit.name());
                    }
                    if (++scanned >= maxScan) {
                        break;
                    }
                }
                return index;
            } catch (IOException e) {
                throw new RetryableGitException("cannot read history of " + repo.redactedUrl(), e);
            }
        }

        private void backoff(int attempt) {
            long initial = settings.initialBackoff().toMillis();
            long ceiling = Math.min(settings.maxBackoff().toMillis(), initial << Math.min(attempt - 2, 20));
            long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
            if (delay <= 0) {
                return;
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetryableGitException("interrupted while retrying push to " + repo.redactedUrl(), e);
            }
        }
    }

    /** Local repository trouble that re-cloning fixes; never escapes {@link Batch#sync}. */
    private static final class CorruptCacheException extends RuntimeException {
        CorruptCacheException(Throwable cause) {
            super(cause.toString(), cause);
        }
    }

    private static void closeQuietly(Git git) {
        if (git != null) {
            git.close();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new RetryableGitException("cannot delete cached clone " + dir, e);
        }
    }
}
