package dev.relay.shared.kubernetes;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.Optional;

/** How a batch/v1 Job ended, read from its status: {@code Complete} / {@code Failed} conditions and counters. */
public final class JobConditions {

    private JobConditions() {
    }

    /** Why the Job failed ({@code Failed=True}), when it did. */
    public static Optional<String> failure(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        for (JobCondition condition : job.getStatus().getConditions()) {
            if ("Failed".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                return Optional.of("Job " + job.getMetadata().getName() + " failed: "
                        + (condition.getReason() == null ? "" : condition.getReason())
                        + (condition.getMessage() == null ? "" : " (" + condition.getMessage() + ")"));
            }
        }
        return Optional.empty();
    }

    /** {@code Complete=True}, or (before the controller sets the condition) at least one succeeded pod. */
    public static boolean succeeded(Job job) {
        if (job.getStatus() == null) {
            return false;
        }
        if (job.getStatus().getConditions() != null) {
            for (JobCondition condition : job.getStatus().getConditions()) {
                if ("Complete".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                    return true;
                }
            }
        }
        return failure(job).isEmpty() && job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0;
    }
}
