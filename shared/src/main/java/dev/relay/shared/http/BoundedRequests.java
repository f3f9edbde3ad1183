package dev.relay.shared.http;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Reading an HTTP request the way every Relay endpoint does: headers by any case, a body no larger than a limit. */
public final class BoundedRequests {

    private BoundedRequests() {
    }

    /**
     * The request body, at most {@code limit} bytes.
     *
     * @param limitSetting the setting that raises the limit, named in the 413 problem
     * @throws EventRejectedException 413 when the body is larger, 400 when it cannot be read
     */
    public static byte[] body(HttpServletRequest request, long limit, String limitSetting) {
        if (request.getContentLengthLong() > limit) {
            throw tooLarge(limit, limitSetting);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw tooLarge(limit, limitSetting);
            }
            return body;
        } catch (IOException e) {
            throw EventRejectedException.badRequest("unreadable-body", "The request body could not be read",
                    "The request body could not be read completely.");
        }
    }

    /** Request headers, first value of each, looked up without regard to case. */
    public static Map<String, String> headers(HttpServletRequest request) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.putIfAbsent(name, request.getHeader(name));
        }
        return headers;
    }

    private static EventRejectedException tooLarge(long limit, String limitSetting) {
        return new EventRejectedException(413, "request-too-large", "Request too large",
                "The request body exceeds the limit of " + limit + " bytes (" + limitSetting + ").");
    }
}
