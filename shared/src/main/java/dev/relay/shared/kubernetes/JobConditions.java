package dev.relay.shared.kubernetes;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
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

    /**
     * When the Job finished: its {@code completionTime}, else the time its {@code Failed} condition became true; null
     * when it has not finished or does not say.
     */
    public static OffsetDateTime finishedAt(Job job) {
        if (job.getStatus() == null) {
            return null;
        }
        if (job.getStatus().getCompletionTime() != null) {
            return time(job.getStatus().getCompletionTime());
        }
        if (job.getStatus().getConditions() != null) {
            for (JobCondition condition : job.getStatus().getConditions()) {
                if ("Failed".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                    return time(condition.getLastTransitionTime());
                }
            }
        }
        return null;
    }

    /** An RFC 3339 time as the API writes it; null when absent or malformed. */
    public static OffsetDateTime time(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
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
