package dev.relay.shared.http;

import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitAuthenticationException;
import dev.relay.shared.gitops.GitOpsException;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.InvalidRepoPathException;
import dev.relay.shared.gitops.PushRejectedException;
import dev.relay.shared.gitops.RepoEdit;
import dev.relay.shared.gitops.RetryableGitException;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.yaml.InvalidImageValueException;
import dev.relay.shared.yaml.YamlStructureException;
import java.util.function.Supplier;

/**
 * Writes to a config repository on behalf of an event, turning every GitOps failure into the problem the event's
 * sender should see: a path or manifest Relay must not touch is 4xx (nothing changed, no retry); Git trouble is 5xx
 * (the broker retries). Messages name the repository, never a credential.
 */
public final class GitWriteProblems {

    private GitWriteProblems() {
    }

    /**
     * @param file the manifest the edit writes, named in a problem about its content
     */
    public static WriteOutcome write(GitOpsWriter writer, ConfigRepository repository, RepoEdit edit, String file) {
        return call(() -> writer.write(repository, edit), file);
    }

    /**
     * Any read or write of a config repository, with its failures turned into problems.
     *
     * @param file the manifest or record concerned, named in a problem about its content
     */
    public static <T> T call(Supplier<T> gitWork, String file) {
        try {
            return gitWork.get();
        } catch (InvalidRepoPathException e) {
            throw EventRejectedException.unprocessable("path-outside-repository", "Manifest path is not allowed",
                    e.getMessage());
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-reference", "Invalid image reference",
                    e.getMessage());
        } catch (YamlStructureException e) {
            throw EventRejectedException.unprocessable("manifest-not-editable", "The manifest cannot be edited safely",
                    file + ": " + e.getMessage());
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
    }
}
