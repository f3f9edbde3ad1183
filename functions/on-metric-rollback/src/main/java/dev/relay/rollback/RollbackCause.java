package dev.relay.rollback;

/** Why an environment is rolled back; {@link #code()} is the answer's and the commit's reason. */
public enum RollbackCause {

    /** An SLO alert ({@code dev.relay.metric.breached}), confirmed by Prometheus when one is configured. */
    METRIC_BREACHED("metric-breached"),

    /** on-sync-verify found the rollout unhealthy ({@code dev.relay.verify.failed}). */
    VERIFY_FAILED("verify-failed");

    private final String code;

    RollbackCause(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
