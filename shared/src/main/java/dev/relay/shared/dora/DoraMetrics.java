package dev.relay.shared.dora;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;

/**
 * The DORA four keys as Prometheus metrics, labelled by {@code app} only (never a digest, commit or event id):
 * {@code relay_dora_deployments_total}, {@code relay_dora_lead_time_seconds} (histogram),
 * {@code relay_dora_lead_time_unknown_total}, {@code relay_dora_rollbacks_total},
 * {@code relay_dora_time_to_restore_seconds} (histogram) and {@code relay_dora_time_to_restore_unknown_total}.
 * Counted by the function that writes the closing commit, once per commit written (a redelivery writes none).
 * Change failure rate is {@code rollbacks / deployments} in PromQL.
 */
public final class DoraMetrics {

    static final Duration[] BUCKETS = {Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8),
            Duration.ofDays(1), Duration.ofDays(2), Duration.ofDays(7), Duration.ofDays(30)};

    private final MeterRegistry registry;

    public DoraMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers every meter of {@code apps} at zero, so dashboards show 0 rather than no data. Cheap: no I/O. */
    public DoraMetrics registerAll(Collection<String> apps) {
        for (String app : apps) {
            deploymentsCounter(app);
            leadTimeTimer(app);
            leadTimeUnknownCounter(app);
            rollbacksCounter(app);
            restoreTimer(app);
            restoreUnknownCounter(app);
        }
        return this;
    }

    /** Called by on-sync-verify once per production deployment it recorded. */
    public void deployed(DoraHistory.Deployment deployment) {
        deploymentsCounter(deployment.app()).increment();
        deployment.leadTime().ifPresentOrElse(leadTimeTimer(deployment.app())::record,
                leadTimeUnknownCounter(deployment.app())::increment);
    }

    /** Called by on-sync-verify once per rollback a production verification it recorded restored. */
    public void restored(DoraHistory.Restore restore) {
        String app = restore.rollback().app();
        restore.timeToRestore().ifPresentOrElse(restoreTimer(app)::record, restoreUnknownCounter(app)::increment);
    }

    /** Called by on-metric-rollback once per production rollback commit it wrote. */
    public void rolledBack(String app) {
        rollbacksCounter(app).increment();
    }

    private Counter deploymentsCounter(String app) {
        return counter("relay.dora.deployments", "Verified production deployments (first verification of a digest)",
                app);
    }

    private Counter leadTimeUnknownCounter(String app) {
        return counter("relay.dora.lead.time.unknown", "Production deployments whose source commit time is unknown",
                app);
    }

    private Counter restoreUnknownCounter(String app) {
        return counter("relay.dora.time.to.restore.unknown", "Restores whose rollback recorded no breach time", app);
    }

    private Counter rollbacksCounter(String app) {
        return counter("relay.dora.rollbacks", "Rollbacks of the production environment", app);
    }

    private Timer leadTimeTimer(String app) {
        return timer("relay.dora.lead.time", "Source commit time to verified in production", app);
    }

    private Timer restoreTimer(String app) {
        return timer("relay.dora.time.to.restore", "Breach start to the next verification in production after the"
                + " rollback", app);
    }

    private Counter counter(String name, String description, String app) {
        return Counter.builder(name).description(description).tag("app", app).register(registry);
    }

    private Timer timer(String name, String description, String app) {
        return Timer.builder(name).description(description).tag("app", app)
                .serviceLevelObjectives(BUCKETS)
                .minimumExpectedValue(Duration.ofSeconds(1))
                .maximumExpectedValue(Duration.ofDays(30))
                .register(registry);
    }
}
