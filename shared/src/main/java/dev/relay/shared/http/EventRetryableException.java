package dev.relay.shared.http;

/** A transient fault (429/5xx): the broker should redeliver the event later. */
public final class EventRetryableException extends RelayEventException {

    public EventRetryableException(int status, String problemType, String title, String detail, Throwable cause) {
        super(requireRetryable(status), problemType, title, detail, cause);
    }

    public static EventRetryableException unavailable(String problemType, String title, String detail,
            Throwable cause) {
        return new EventRetryableException(503, problemType, title, detail, cause);
    }

    private static int requireRetryable(int status) {
        if (status != 429 && status < 500) {
            throw new IllegalArgumentException("not a retryable status: " + status);
        }
        return status;
    }
}
