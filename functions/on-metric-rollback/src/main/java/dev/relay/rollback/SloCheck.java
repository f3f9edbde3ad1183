package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;

/** Asks Prometheus whether a reported breach is real: evaluates the pipeline's SLO query against its condition. */
public final class SloCheck {

    /** What Prometheus says about the SLO right now. */
    public sealed interface Verdict permits Breached, Healthy, NoData {
    }

    /** The SLO does not hold: the breach is confirmed. */
    public record Breached(double value, String description) implements Verdict {
    }

    /** The SLO holds: the breach is not confirmed. */
    public record Healthy(double value, String description) implements Verdict {
    }

    public record NoData(String description) implements Verdict {
    }

    private final PrometheusClient prometheus;

    public SloCheck(PrometheusClient prometheus) {
        this.prometheus = prometheus;
    }

    static boolean configured(RelayProperties.Pipeline pipeline) {
        RelayProperties.Rollback rollback = pipeline.rollback();
        return rollback != null && rollback.prometheus() != null && rollback.prometheus().url() != null
                && !rollback.prometheus().url().isBlank();
    }

    public Verdict evaluate(String app, String environment, RelayProperties.Rollback rollback) {
        SloQuery query = SloQuery.of(rollback.slo(), app, environment);
        SloCondition condition = SloCondition.parse(rollback.slo().condition());
        PrometheusClient.Measurement measurement = prometheus.query(rollback.prometheus(), query.promql(),
                rollback.queryTimeout());
        if (measurement instanceof PrometheusClient.NoData none) {
            return new NoData(none.detail());
        }
        double value = ((PrometheusClient.Value) measurement).value();
        String measured = query.valueName() + " " + SloCondition.format(value);
        return condition.holds(value)
                ? new Healthy(value, measured + " " + condition)
                : new Breached(value, measured + ", SLO " + condition);
    }
}
