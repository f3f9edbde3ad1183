package dev.relay.shared.gitops;

/** Network or I/O failure, or a push still rejected after all attempts: worth redelivering (5xx). */
public class RetryableGitException extends GitOpsException {

    public RetryableGitException(String message) {
        super(message);
    }

    public RetryableGitException(String message, Throwable cause) {
        super(message, cause);
    }
}
