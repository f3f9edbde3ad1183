package dev.relay.shared.gitops;

/**
 * The remote refused the push for a reason retrying will not fix (a hook declined it, the branch is
 * protected). Terminal: report a failure rather than asking for redelivery.
 */
public class PushRejectedException extends GitOpsException {

    public PushRejectedException(String message) {
        super(message);
    }
}
