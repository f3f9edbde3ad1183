package dev.relay.bump;

import dev.relay.shared.config.RelayFunctionAutoConfiguration;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitAuthenticationException;
import dev.relay.shared.gitops.GitOpsException;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.InvalidRepoPathException;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.yaml.InvalidImageValueException;
import java.io.UncheckedIOException;

/** Writes a {@link BumpRequest} into the config repository and says what happened. */
public final class ImageBumper {

    private final GitOpsWriter writer;

    public ImageBumper(GitOpsWriter writer) {
        this.writer = writer;
    }

    public BumpOutcome bump(BumpRequest request) {
        ConfigRepository repository = RelayFunctionAutoConfiguration.repositoryOf(request.pipeline().configRepo());
        WriteOutcome outcome;
        try {
            outcome = writer.write(repository, new ManifestBump(request));
        } catch (InvalidRepoPathException e) {
            throw EventRejectedException.unprocessable("path-outside-repository", "Manifest path is not allowed",
                    e.getMessage());
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-reference", "Invalid image reference",
                    e.getMessage());
        } catch (GitAuthenticationException e) {
            throw new EventRetryableException(502, "git-authentication-failed",
                    "The config repository rejected Relay's credential", e.getMessage(), null);
        } catch (GitOpsException e) {
            throw EventRetryableException.unavailable("git-unavailable", "The config repository is unavailable",
                    e.getMessage(), null);
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
        if (outcome instanceof WriteOutcome.Committed committed) {
            return new BumpOutcome.Bumped(request, committed.commitId(),
                    committed.changes().isEmpty() ? null : committed.changes().get(0).oldValue(),
                    committed.attempts());
        }
        if (outcome instanceof WriteOutcome.AlreadyApplied applied) {
            return new BumpOutcome.Unchanged(request, "already-applied", applied.commitId());
        }
        return new BumpOutcome.Unchanged(request, "already-at-image", null);
    }

    private static RuntimeException unwrap(UncheckedIOException e) {
        if (e.getCause() instanceof ManifestBump.ManifestMissingException missing) {
            return new EventRetryableException(500, "manifest-missing", "The environment's manifest is missing",
                    missing.getMessage() + "; fix the pipeline's environments[].path or the repository.", null);
        }
        return EventRetryableException.unavailable("git-unavailable", "The config repository is unavailable",
                e.getMessage(), null);
    }
}
