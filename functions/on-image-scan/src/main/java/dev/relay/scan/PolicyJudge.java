package dev.relay.scan;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Judges a {@link ScanReport} by a {@link ScanPolicy} (pure; the clock decides which ignore entries have expired):
 * <ol>
 *   <li>a finding whose id is on the ignore list (entry not expired), or without a fix when {@code ignoreUnfixed},
 *   is set aside: it neither blocks nor counts;</li>
 *   <li>every remaining finding at or above the threshold blocks;</li>
 *   <li>a severity with more remaining findings than its {@code maxCounts} entry blocks with all its ids.</li>
 * </ol>
 * Passed when nothing blocks.
 */
public final class PolicyJudge {

    /** An answer lists at most this many blocking ids; the reason says how many there are. */
    static final int MAX_BLOCKING_IDS = 100;

    private final ScanPolicy policy;
    private final Clock clock;

    public PolicyJudge(ScanPolicy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
    }

    public Verdict judge(ScanReport report) {
        LocalDate today = LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC));
        Set<String> ignoredIds = policy.ignore().stream().filter(i -> i.activeOn(today)).map(ScanPolicy.Ignore::id)
                .collect(Collectors.toSet());
        List<Finding> judged = new ArrayList<>();
        int ignored = 0;
        int unfixed = 0;
        for (Finding finding : report.findings()) {
            if (ignoredIds.contains(finding.id())) {
                ignored++;
            } else if (policy.ignoreUnfixed() && !finding.fixable()) {
                unfixed++;
            } else {
                judged.add(finding);
            }
        }
        var counts = ScanReport.counts(judged);
        List<Finding> blockingFindings = new ArrayList<>();
        List<String> why = new ArrayList<>();
        Optional<Severity> threshold = policy.threshold();
        threshold.ifPresent(t -> judged.stream().filter(f -> f.severity().atLeast(t)).forEach(blockingFindings::add));
        if (!blockingFindings.isEmpty()) {
            why.add(blockingFindings.size() + " finding" + (blockingFindings.size() == 1 ? "" : "s") + " at or above "
                    + threshold.get().label());
        }
        Map<Severity, Long> perSeverity = judged.stream()
                .collect(Collectors.groupingBy(Finding::severity, Collectors.counting()));
        for (Severity severity : Severity.values()) {
            Integer max = policy.maxCounts().get(severity);
            long count = perSeverity.getOrDefault(severity, 0L);
            if (max != null && count > max) {
                why.add(severity.label() + " " + count + " > max " + max);
                judged.stream().filter(f -> f.severity() == severity).forEach(blockingFindings::add);
            }
        }
        String setAside = setAside(ignored, unfixed);
        if (blockingFindings.isEmpty()) {
            return new Verdict.Passed(counts, "no finding blocks" + setAside);
        }
        List<String> ids = blockingFindings.stream()
                .sorted(Comparator.comparing(Finding::severity).thenComparing(Finding::id))
                .map(Finding::id)
                .collect(Collectors.toCollection(LinkedHashSet::new))
                .stream().toList();
        String reason = String.join("; ", why) + setAside;
        if (ids.size() > MAX_BLOCKING_IDS) {
            reason += " (" + ids.size() + " blocking ids, the first " + MAX_BLOCKING_IDS + " listed)";
            ids = ids.subList(0, MAX_BLOCKING_IDS);
        }
        return new Verdict.Failed(counts, ids, reason);
    }

    private static String setAside(int ignored, int unfixed) {
        if (ignored == 0 && unfixed == 0) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (ignored > 0) {
            parts.add(ignored + " on the ignore list");
        }
        if (unfixed > 0) {
            parts.add(unfixed + " without a fix");
        }
        return "; set aside: " + String.join(", ", parts);
    }
}
