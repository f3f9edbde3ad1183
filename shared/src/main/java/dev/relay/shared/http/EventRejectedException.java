package dev.relay.shared.http;

/** The event cannot be accepted as sent (4xx): nothing changed, a retry would fail the same way. */
public final class EventRejectedException extends RelayEventException {

    public EventRejectedException(int status, String problemType, String title, String detail) {
        super(requireClientError(status), problemType, title, detail, null);
    }

    public static EventRejectedException badRequest(String problemType, String title, String detail) {
        return new EventRejectedException(400, problemType, title, detail);
    }

    public static EventRejectedException unprocessable(String problemType, String title, String detail) {
        return new EventRejectedException(422, problemType, title, detail);
    }

    private static int requireClientError(int status) {
        if (status < 400 || status > 499 || status == 429) {
            throw new IllegalArgumentException("not a terminal client error: " + status);
        }
        return status;
    }
}
