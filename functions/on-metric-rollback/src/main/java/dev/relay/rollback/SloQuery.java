package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.http.EventRejectedException;

/** The PromQL that measures a pipeline's SLO, with {@code <app>} and {@code <environment>} filled in. */
record SloQuery(String promql, boolean defaultQuery) {

    /** Success rate over 5 minutes, the default SLI (as in the seeds' Argo Rollouts AnalysisTemplate). */
    static final String DEFAULT = "sum(rate(http_requests_total{service=\"<app>\",status=~\"2..\"}[5m]))"
            + " / sum(rate(http_requests_total{service=\"<app>\"}[5m]))";

    static SloQuery of(RelayProperties.Slo slo, String app, String environment) {
        // Both names go into PromQL label matchers: only DNS labels, which cannot close the string or the selector.
        requireLabel("app", app);
        requireLabel("environment", environment);
        boolean useDefault = slo == null || slo.query() == null || slo.query().isBlank();
        String template = useDefault ? DEFAULT : slo.query().strip();
        return new SloQuery(template.replace("<app>", app).replace("<environment>", environment), useDefault);
    }

    /** What the measured value is called in reasons: "success rate" for the default query. */
    String valueName() {
        return defaultQuery ? "success rate" : "SLO value";
    }

    private static void requireLabel(String field, String value) {
        if (value == null || !value.matches(RelayProperties.NAME)) {
            throw EventRejectedException.unprocessable("invalid-" + field, "Invalid " + field,
                    "'" + field + "' must be a DNS-1123 label to be put into the SLO query.");
        }
    }
}
