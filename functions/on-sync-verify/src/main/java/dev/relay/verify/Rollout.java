package dev.relay.verify;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

/**
 * The state of a Deployment's rollout, judged from its status like {@code kubectl rollout status}: complete when the
 * controller has observed the current generation and updated, ready and available replicas all equal
 * {@code spec.replicas} (and no old replica is left); failed on {@code Progressing=False} with reason
 * {@code ProgressDeadlineExceeded}, or when paused before completing; otherwise still in progress.
 */
public sealed interface Rollout permits Rollout.Complete, Rollout.InProgress, Rollout.Failed {

    String detail();

    record Complete(String detail) implements Rollout {
    }

    record InProgress(String detail) implements Rollout {
    }

    record Failed(String detail) implements Rollout {
    }

    static Rollout of(Deployment deployment) {
        String name = deployment.getMetadata().getNamespace() + "/" + deployment.getMetadata().getName();
        DeploymentStatus status = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
        int desired = deployment.getSpec() == null || deployment.getSpec().getReplicas() == null ? 1
                : deployment.getSpec().getReplicas();
        long generation = deployment.getMetadata().getGeneration() == null ? 0 : deployment.getMetadata().getGeneration();
        long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        int updated = orZero(status.getUpdatedReplicas());
        int ready = orZero(status.getReadyReplicas());
        int available = orZero(status.getAvailableReplicas());
        int total = orZero(status.getReplicas());
        String counts = "replicas " + desired + ", updated " + updated + ", ready " + ready + ", available "
                + available + (total > updated ? ", old " + (total - updated) : "");
        if (status.getConditions() != null) {
            for (DeploymentCondition condition : status.getConditions()) {
                if ("Progressing".equals(condition.getType()) && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                    return new Failed("Deployment " + name + " exceeded its progress deadline (" + counts + ")"
                            + (condition.getMessage() == null ? "" : ": " + condition.getMessage()));
                }
            }
        }
        if (observed < generation) {
            return new InProgress("Deployment " + name + ": observedGeneration " + observed + " < generation "
                    + generation);
        }
        boolean complete = updated == desired && ready == desired && available == desired && total <= updated;
        if (complete) {
            return new Complete("Deployment " + name + " rolled out at generation " + generation + " (" + counts + ")");
        }
        if (deployment.getSpec() != null && Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
            return new Failed("Deployment " + name + " is paused before its rollout completed (" + counts + ")");
        }
        return new InProgress("Deployment " + name + " is rolling out (" + counts + ")");
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
