package dev.relay.scan;

/** The end of a process's or pod's output, short enough for an event's {@code reason} and a log line. */
final class OutputTail {

    static final int MAX = 1500;

    private OutputTail() {
    }

    static String of(String output) {
        if (output == null || output.isBlank()) {
            return "(no output)";
        }
        String trimmed = output.strip();
        String tail = trimmed.length() <= MAX ? trimmed : "..." + trimmed.substring(trimmed.length() - MAX);
        return tail.replaceAll("[\\p{Cntrl}&&[^\n\t]]", "?");
    }
}
