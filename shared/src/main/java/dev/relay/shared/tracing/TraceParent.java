package dev.relay.shared.tracing;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A W3C {@code traceparent} value ({@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}) that passed the
 * Trace Context rules: lower-case hex, version not {@code ff}, neither id all zeros. Versions above 00 may append
 * fields; only the first four are read.
 */
public record TraceParent(String value, String traceId, String parentId) {

    private static final Pattern FORMAT =
            Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?");

    public static Optional<TraceParent> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        var matcher = FORMAT.matcher(value.trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String version = matcher.group(1);
        String traceId = matcher.group(2);
        String parentId = matcher.group(3);
        boolean valid = !version.equals("ff") && (!version.equals("00") || matcher.group(4) == null)
                && !traceId.chars().allMatch(c -> c == '0') && !parentId.chars().allMatch(c -> c == '0');
        return valid ? Optional.of(new TraceParent(value.trim(), traceId, parentId)) : Optional.empty();
    }
}
