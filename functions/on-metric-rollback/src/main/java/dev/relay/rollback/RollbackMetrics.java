package dev.relay.rollback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code relay_rollbacks_total{outcome,reason}}: outcome {@code completed} / {@code skipped}; reason the cause
 * ({@code metric-breached}, {@code verify-failed}) or the skip code ({@code not-confirmed}, {@code no-data},
 * {@code already-rolled-back}, {@code no-verified-image}). Never an app, digest or commit.
 */
final class RollbackMetrics {

    private final MeterRegistry registry;

    RollbackMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(RollbackOutcome outcome) {
        String result = outcome instanceof RollbackOutcome.RolledBack ? "completed" : "skipped";
        String reason = outcome instanceof RollbackOutcome.Skipped skipped ? skipped.code()
                : outcome.request().cause().code();
        Counter.builder("relay.rollbacks")
                .description("Rollback decisions of on-metric-rollback, by outcome and reason")
                .tag("outcome", result)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
