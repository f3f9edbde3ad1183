package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import java.util.Locale;
import java.util.Optional;

/** A finding's severity, most severe first. Scanners' other words map onto these (Harbor's Negligible is LOW). */
public enum Severity {
    CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN;

    /** Trivy's {@code CRITICAL}…{@code UNKNOWN}, Harbor's {@code Critical}…{@code Negligible}/{@code None}. */
    public static Severity parse(String value) {
        if (value == null) {
            return UNKNOWN;
        }
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "CRITICAL" -> CRITICAL;
            case "HIGH" -> HIGH;
            case "MEDIUM" -> MEDIUM;
            case "LOW", "NEGLIGIBLE" -> LOW;
            default -> UNKNOWN;
        };
    }

    /** Whether this severity is {@code threshold} or more severe. */
    public boolean atLeast(Severity threshold) {
        return ordinal() <= threshold.ordinal();
    }

    /** The threshold of a configured {@code fail-on}; empty for {@code none}. */
    public static Optional<Severity> threshold(RelayProperties.FailOn failOn) {
        return failOn == null || failOn == RelayProperties.FailOn.NONE ? Optional.empty()
                : Optional.of(Severity.valueOf(failOn.name()));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
