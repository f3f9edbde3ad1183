package dev.relay.shared.dora;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The trailers the DORA keys are read from, besides the chain's own ({@code Relay-App}, {@code Relay-Environment},
 * {@code Relay-Image-Digest}, {@code Relay-Verified-Digest}, {@code Relay-Rollback-Reason}). Times are ISO-8601
 * instants in UTC, to the second.
 */
public final class DoraTrailers {

    /** On a bump commit: when the source commit the image was built from was committed. */
    public static final String SOURCE_COMMIT_TIME = "Relay-Source-Commit-Time";

    /** On a rollback commit: when the breach began (the alert's {@code startsAt}, or the failed verification). */
    public static final String BREACHED_AT = "Relay-Breached-At";

    static final String APP = "Relay-App";
    static final String ENVIRONMENT = "Relay-Environment";
    static final String IMAGE_DIGEST = "Relay-Image-Digest";
    static final String VERIFIED_DIGEST = "Relay-Verified-Digest";
    static final String ROLLBACK_REASON = "Relay-Rollback-Reason";

    private DoraTrailers() {
    }

    /** {@code 2026-10-01T10:00:00Z}: the form every time trailer is written in. */
    public static String format(Instant time) {
        return time.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** An ISO-8601 instant or offset date-time (e.g. Alertmanager's {@code startsAt}); empty when absent or invalid. */
    public static Optional<Instant> parse(String text) {
        if (text == null || text.isBlank() || text.length() > 64) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text.strip()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
