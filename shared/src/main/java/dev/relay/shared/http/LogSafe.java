package dev.relay.shared.http;

/**
 * An untrusted value (event attribute, header, error text) as it may appear in a log line: see
 * {@link Problems#shown}, so no event can forge or break a log line.
 */
public final class LogSafe {

    static final int MAX_LENGTH = 512;

    private LogSafe() {
    }

    public static String of(Object value) {
        return value == null ? "null" : Problems.shown(value.toString(), MAX_LENGTH);
    }
}
