package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pipeline's scan policy as plain data (no Spring): the blocking threshold, ignore-unfixed, the ignore list with
 * expiry dates and the most findings allowed per severity.
 *
 * @param threshold findings at or above it block; empty: none block by severity alone
 * @param maxCounts most findings allowed per severity (missing: no limit)
 */
public record ScanPolicy(String name, Optional<Severity> threshold, boolean ignoreUnfixed, List<Ignore> ignore,
        Map<Severity, Integer> maxCounts) {

    /** An ignore-list entry: {@code expires} is the last day (UTC) on which it ignores; {@code null}: never expires. */
    public record Ignore(String id, String reason, LocalDate expires) {

        public boolean activeOn(LocalDate today) {
            return expires == null || !today.isAfter(expires);
        }
    }

    public ScanPolicy {
        ignore = List.copyOf(ignore);
        maxCounts = Map.copyOf(maxCounts);
    }

    /** Relay's default: CRITICAL and HIGH block, nothing ignored, no count limits. */
    public static ScanPolicy defaults() {
        return new ScanPolicy("default", Optional.of(Severity.HIGH), false, List.of(), Map.of());
    }

    public static ScanPolicy of(RelayProperties.ScanPolicy config) {
        List<Ignore> ignore = new ArrayList<>();
        config.ignore().forEach(i -> ignore.add(new Ignore(i.id(), i.reason(), i.expires())));
        Map<Severity, Integer> max = new EnumMap<>(Severity.class);
        RelayProperties.MaxCounts counts = config.maxCounts();
        if (counts != null) {
            put(max, Severity.CRITICAL, counts.critical());
            put(max, Severity.HIGH, counts.high());
            put(max, Severity.MEDIUM, counts.medium());
            put(max, Severity.LOW, counts.low());
            put(max, Severity.UNKNOWN, counts.unknown());
        }
        return new ScanPolicy(config.name(), Severity.threshold(config.failOn()), config.ignoreUnfixed(), ignore, max);
    }

    private static void put(Map<Severity, Integer> map, Severity severity, Integer value) {
        if (value != null) {
            map.put(severity, value);
        }
    }

    /** The {@code policy} field of an answer, e.g. {@code default (fail-on high, ignore-unfixed, 2 ignored ids, max medium 10)}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("fail-on " + threshold.map(Severity::label).orElse("none"));
        if (ignoreUnfixed) {
            parts.add("ignore-unfixed");
        }
        if (!ignore.isEmpty()) {
            parts.add(ignore.size() + " ignored id" + (ignore.size() == 1 ? "" : "s"));
        }
        for (Severity severity : Severity.values()) {
            if (maxCounts.containsKey(severity)) {
                parts.add("max " + severity.label() + " " + maxCounts.get(severity));
            }
        }
        return name + " (" + String.join(", ", parts) + ")";
    }
}
