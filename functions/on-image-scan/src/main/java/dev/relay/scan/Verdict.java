package dev.relay.scan;

import dev.relay.shared.events.Payloads;
import java.util.List;

/** What the policy says about a report. */
public sealed interface Verdict permits Verdict.Passed, Verdict.Failed {

    /** Counts of the findings the policy judged (ignored ones excluded). */
    Payloads.SeverityCounts counts();

    /** One line on what was judged and why, for the answer's {@code reason}. */
    String reason();

    record Passed(Payloads.SeverityCounts counts, String reason) implements Verdict {
    }

    /** @param blocking the distinct vulnerability ids that block, most severe first */
    record Failed(Payloads.SeverityCounts counts, List<String> blocking, String reason) implements Verdict {

        public Failed {
            blocking = List.copyOf(blocking);
        }
    }
}
