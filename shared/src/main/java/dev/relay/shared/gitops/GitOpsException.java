package dev.relay.shared.gitops;

/** Base of the GitOps writer's failures. Messages never contain secrets or URL userinfo. */
public class GitOpsException extends RuntimeException {

    public GitOpsException(String message) {
        super(message);
    }

    public GitOpsException(String message, Throwable cause) {
        super(message, cause);
    }
}
