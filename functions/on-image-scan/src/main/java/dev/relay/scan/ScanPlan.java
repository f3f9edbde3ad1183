package dev.relay.scan;

/** Whether an {@code image.pushed} event is scanned, and as which pipeline's image. */
public sealed interface ScanPlan permits ScanPlan.Scan, ScanPlan.Skip {

    record Scan(ScanRequest request) implements ScanPlan {
    }

    /** No pipeline owns the image: nothing to scan, nothing to answer. */
    record Skip(String reason) implements ScanPlan {
    }
}
