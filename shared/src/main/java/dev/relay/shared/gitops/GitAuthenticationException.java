package dev.relay.shared.gitops;

/** The remote rejected the credentials. The message names the repository URL without userinfo. */
public class GitAuthenticationException extends GitOpsException {

    public GitAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
