package dev.relay.build;

import com.google.cloud.tools.jib.api.RegistryException;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local builder (relay-local; no cluster): JGit checkout of the exact commit into
 * {@code <work-dir>/sources/<app>} (an annotated tag object pushed as the commit is peeled to its commit, which the
 * labels, {@code RELAY_COMMIT} and {@code sourceCommit} then name), the build command in it, then {@code output-dir} as {@code /app} of an image FROM
 * scratch, written to {@code <image-layout-dir>/<app>-<tag>.tar} (an OCI image layout in a tar) or pushed to
 * {@code local.registry}. It stands in for the registry's push webhook: the answer is {@code dev.relay.image.pushed}
 * with the real manifest digest. A failing or timed-out command is {@code dev.relay.build.failed} with the tail of
 * its output; source or registry trouble is 503 (retry). Builds of one application run one at a time.
 */
public final class LocalBuilder {

    private static final Logger log = LoggerFactory.getLogger(LocalBuilder.class);

    private final Duration gitTimeout;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public LocalBuilder(Duration gitTimeout) {
        this.gitTimeout = gitTimeout;
    }

    public BuildOutcome build(BuildRequest request) {
        ReentrantLock lock = locks.computeIfAbsent(request.app(), app -> new ReentrantLock());
        lock.lock();
        try {
            return buildLocked(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EventRetryableException.unavailable("build-interrupted", "The build was interrupted",
                    "The local build of " + request.imageReference() + " was interrupted.", null);
        } finally {
            lock.unlock();
        }
    }

    private BuildOutcome buildLocked(BuildRequest request) throws InterruptedException {
        RelayProperties.Local local = request.build().local();
        Path workDir = local.workDirOrDefault().toAbsolutePath();
        String cloneUrl = request.pipeline().source().repository();
        SourceCheckout.Checkout source;
        try {
            source = SourceCheckout.checkout(workDir.resolve("sources").resolve(request.app()), cloneUrl,
                    request.push().url().redacted(), request.push().ref(), request.commit(), gitTimeout);
        } catch (SourceCheckout.SourceUnavailableException e) {
            throw EventRetryableException.unavailable("source-unavailable", "The source repository is unavailable",
                    e.getMessage(), null);
        } catch (SourceCheckout.NotACommitException e) {
            throw EventRejectedException.unprocessable("not-a-commit", "The pushed id is not a commit",
                    e.getMessage() + " in " + request.push().ref() + " of " + request.push().url().redacted() + ".");
        }
        Path checkout = source.dir();
        String commit = source.commit();
        log.info("building {} from {} at {}{}: {}", request.imageReference(), request.push().ref(), commit,
                commit.equals(request.commit()) ? "" : " (tag object " + request.commit() + ")", local.command());
        BuildCommand.Result result;
        try {
            result = BuildCommand.run(local.command(), checkout, environment(request, commit), local.timeout());
        } catch (IOException e) {
            return new BuildOutcome.Failed(request, null, "cannot run build.local.command " + local.command() + ": "
                    + e.getMessage());
        }
        if (result.timedOut()) {
            return new BuildOutcome.Failed(request, null, "build command timed out after " + local.timeout()
                    + "; last output:\n" + result.tailText());
        }
        if (!result.succeeded()) {
            return new BuildOutcome.Failed(request, null, "build command exited with " + result.exitCode()
                    + "; last output:\n" + result.tailText());
        }
        Path output = checkout.resolve(local.outputDir()).normalize();
        try {
            if (!Files.isDirectory(output) || !output.toRealPath().startsWith(checkout.toRealPath())) {
                return new BuildOutcome.Failed(request, null, "build.local.output-dir '" + local.outputDir()
                        + "' is not a directory inside the checkout after the build command; last output:\n"
                        + result.tailText());
            }
        } catch (IOException e) {
            return new BuildOutcome.Failed(request, null, "cannot read build.local.output-dir '" + local.outputDir()
                    + "': " + e.getMessage());
        }
        return containerize(request, local, workDir, output, commit,
                SourceCheckout.commitTime(checkout).orElse(null));
    }

    private static BuildOutcome containerize(BuildRequest request, RelayProperties.Local local, Path workDir,
            Path output, String commit, Instant sourceCommitTime) throws InterruptedException {
        ScratchImage.Target target;
        String image;
        String registry;
        if (local.registry() != null && !local.registry().isBlank()) {
            image = local.registry() + "/" + repositoryPath(request.image());
            registry = local.registry();
            target = new ScratchImage.Registry(image + ":" + request.tag(),
                    local.allowInsecureRegistry() || isLoopback(local.registry()));
        } else {
            Path tarball = local.imageLayoutDirOrDefault().toAbsolutePath()
                    .resolve(request.app() + "-" + request.tag() + ".tar");
            image = request.image();
            registry = "oci-archive:" + tarball;
            target = new ScratchImage.Tarball(tarball, request.imageReference());
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.revision", commit);
        labels.put("org.opencontainers.image.source", request.push().url().redacted());
        labels.put("dev.relay.app", request.app());
        try {
            String digest = ScratchImage.build(output, local.entrypoint(), labels, target,
                    workDir.resolve("jib-cache"));
            log.info("built {}:{} {} -> {}", image, request.tag(), digest, registry);
            return new BuildOutcome.Pushed(request, image, digest, registry, commit, sourceCommitTime);
        } catch (RegistryException | ExecutionException e) {
            throw EventRetryableException.unavailable("registry-unavailable", "The image could not be pushed",
                    "Pushing " + image + ":" + request.tag() + " to " + registry + " failed: " + e.getMessage(), null);
        } catch (IOException e) {
            throw EventRetryableException.unavailable("image-write-failed", "The image could not be written",
                    "Writing " + image + ":" + request.tag() + " to " + registry + " failed: " + e.getMessage(), null);
        }
    }

    private static Map<String, String> environment(BuildRequest request, String commit) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RELAY_APP", request.app());
        env.put("RELAY_COMMIT", commit);
        env.put("RELAY_REF", request.push().ref().fullName());
        env.put("RELAY_IMAGE", request.imageReference());
        return env;
    }

    /** The repository path of an image name, without its registry host ({@code host/team/app} → {@code team/app}). */
    static String repositoryPath(String image) {
        int slash = image.indexOf('/');
        if (slash < 0) {
            return image;
        }
        String first = image.substring(0, slash);
        boolean isHost = first.contains(".") || first.contains(":") || first.equals("localhost");
        return isHost ? image.substring(slash + 1) : image;
    }

    static boolean isLoopback(String registry) {
        String host = registry.replaceFirst(":[0-9]+$", "");
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }
}
