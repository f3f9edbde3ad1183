package dev.relay.scan.reconcile;

import java.util.List;

/**
 * The data of {@code dev.relay.reconcile.completed} (every pipeline looked at was checked) or
 * {@code dev.relay.reconcile.errored} (at least one could not be: {@code errors} names the registry or repository).
 *
 * @param function  the function that reconciled
 * @param checked   pipelines looked at this tick
 * @param pending   pipelines left for later ticks (over {@code relay.reconcile.max-pipelines-per-tick})
 * @param repaired  repairs posted to the broker
 * @param upToDate  pipelines whose first environment already has what the policy would deploy
 * @param skipped   pipelines with nothing to repair, and why
 * @param errors    pipelines that could not be checked, and why
 */
public record ReconcileSummary(String function, int checked, int pending, List<Repair> repaired,
        List<String> upToDate, List<Note> skipped, List<Note> errors) {

    public ReconcileSummary {
        repaired = List.copyOf(repaired);
        upToDate = List.copyOf(upToDate);
        skipped = List.copyOf(skipped);
        errors = List.copyOf(errors);
    }

    /** A repair: the event posted and the image it carries to the first environment. */
    public record Repair(String app, String environment, String eventId, String image, String tag, String digest) {
    }

    public record Note(String app, String reason) {
    }
}
