package dev.relay.verify;

import dev.relay.shared.events.Payloads;
import java.util.List;

/** What a verification found once the rollout was no longer in progress. */
public sealed interface VerifyOutcome permits VerifyOutcome.Passed, VerifyOutcome.Failed {

    ExpectedImage expected();

    List<Payloads.Check> checks();

    /** Every check passed; {@code expected.digest()} is known (from the manifest, the pods or the bump commit). */
    record Passed(ExpectedImage expected, List<Payloads.Check> checks) implements VerifyOutcome {
        public Passed {
            checks = List.copyOf(checks);
        }
    }

    /** At least one check failed definitively. */
    record Failed(ExpectedImage expected, List<Payloads.Check> checks) implements VerifyOutcome {
        public Failed {
            checks = List.copyOf(checks);
        }

        public List<String> failedNames() {
            return checks.stream().filter(c -> !c.ok()).map(Payloads.Check::name).toList();
        }
    }
}
