package dev.relay.verify;

import dev.relay.shared.events.Payloads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * {@code relay_verify_checks_total{check,outcome}}: one count per check of each finished verification ({@code pass},
 * {@code fail}) and per rollout still in progress at the deadline ({@code in-progress}). {@code check} is the kind
 * ({@code smoke} for every {@code smoke:<url>}), never a URL, so the labels stay few.
 */
public final class VerifyMetrics {

    private final MeterRegistry registry;

    public VerifyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    MeterRegistry registry() {
        return registry;
    }

    public void record(List<Payloads.Check> checks) {
        for (Payloads.Check check : checks) {
            count(kind(check.name()), check.ok() ? "pass" : "fail");
        }
    }

    public void inProgress(String check) {
        count(check, "in-progress");
    }

    /**
     * {@code relay_verify_outcomes_total{outcome}} for verifications that end without verify.passed / .failed:
     * {@code already-verified} (a re-notification of a verified deployment) and {@code inconclusive} (no digest).
     */
    public void outcome(String outcome) {
        Counter.builder("relay.verify.outcomes")
                .description("Verifications of on-sync-verify that announce no pass or failure, by why")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    static String kind(String name) {
        return name.startsWith(SmokeChecks.PREFIX) ? "smoke" : name;
    }

    private void count(String check, String outcome) {
        Counter.builder("relay.verify.checks")
                .description("Verification checks of on-sync-verify, by check kind and outcome")
                .tag("check", check)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }
}
