package dev.relay.bump;

import dev.relay.shared.gitops.GitAuthenticationException;
import dev.relay.shared.gitops.GitOpsException;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.InvalidRepoPathException;
import dev.relay.shared.gitops.PushRejectedException;
import dev.relay.shared.gitops.RetryableGitException;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.yaml.InvalidImageValueException;
import dev.relay.shared.yaml.YamlStructureException;

/**
 * Writes a {@link BumpRequest} into the config repository and says what happened. Failures become problems: the
 * event's fault or a manifest Relay must not edit is 4xx (nothing changed, no retry); Git trouble is 5xx.
 */
public final class ImageBumper {

    private final GitOpsWriter writer;

    public ImageBumper(GitOpsWriter writer) {
        this.writer = writer;
    }

    public BumpOutcome bump(BumpRequest request) {
        WriteOutcome outcome;
        ManifestBump edit = new ManifestBump(request);
        try {
            outcome = writer.write(request.pipeline().configRepo().toConfigRepository(), edit);
        } catch (InvalidRepoPathException e) {
            throw EventRejectedException.unprocessable("path-outside-repository", "Manifest path is not allowed",
                    e.getMessage());
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-reference", "Invalid image reference",
                    e.getMessage());
        } catch (YamlStructureException e) {
            throw EventRejectedException.unprocessable("manifest-not-editable", "The manifest cannot be edited safely",
                    request.environment().path() + ": " + e.getMessage());
        } catch (GitAuthenticationException e) {
            throw new EventRetryableException(502, "git-authentication-failed",
                    "The config repository rejected Relay's credential", e.getMessage(), null);
        } catch (PushRejectedException e) {
            throw new EventRetryableException(502, "git-push-refused", "The config repository refused the push",
                    e.getMessage(), null);
        } catch (RetryableGitException e) {
            throw EventRetryableException.unavailable("git-unavailable", "The config repository is unavailable",
                    e.getMessage(), null);
        } catch (GitOpsException e) {
            throw new EventRetryableException(500, "config-repository-mismatch",
                    "The config repository does not match the pipeline configuration", e.getMessage(), null);
        }
        if (outcome instanceof WriteOutcome.Committed committed) {
            return new BumpOutcome.Bumped(request, committed.commitId(),
                    committed.changes().isEmpty() ? null : committed.changes().get(0).oldValue(),
                    committed.attempts());
        }
        if (outcome instanceof WriteOutcome.AlreadyApplied applied) {
            return new BumpOutcome.Unchanged(request, "already-applied", applied.commitId());
        }
        return new BumpOutcome.Unchanged(request, edit.held() ? "held" : "already-at-image", null);
    }
}
