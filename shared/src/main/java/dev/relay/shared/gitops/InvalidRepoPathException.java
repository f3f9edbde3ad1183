package dev.relay.shared.gitops;

/** A path that escapes the work tree ({@code ..}, absolute, through a symlink, or into {@code .git}): 4xx. */
public class InvalidRepoPathException extends GitOpsException {

    public InvalidRepoPathException(String message) {
        super(message);
    }
}
