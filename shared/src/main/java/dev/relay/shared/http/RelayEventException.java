package dev.relay.shared.http;

/**
 * Why an event could not be handled, as an RFC 9457 problem. Terminal problems (4xx) change nothing and are
 * never retried; retryable ones (429/5xx) ask the broker to redeliver.
 */
public abstract sealed class RelayEventException extends RuntimeException
        permits EventRejectedException, EventRetryableException {

    private final int status;
    private final String problemType;
    private final String title;

    protected RelayEventException(int status, String problemType, String title, String detail, Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.problemType = problemType;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** Short slug; the problem's {@code type} URI is {@code https://relay.dev/problems/<slug>}. */
    public String problemType() {
        return problemType;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
