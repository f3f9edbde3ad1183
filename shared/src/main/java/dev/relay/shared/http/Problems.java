package dev.relay.shared.http;

import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** RFC 9457 {@code application/problem+json} responses. */
public final class Problems {

    public static final String TYPE_BASE = "https://relay.dev/problems/";

    private Problems() {
    }

    /**
     * Untrusted input as it may appear in a problem detail or a log line: at most {@code maxChars} characters (then
     * "…"), every character outside printable ASCII shown as '?', so a value can never break a line or hide text.
     */
    public static String shown(String value, int maxChars) {
        if (value == null) {
            return "";
        }
        boolean cut = value.length() > maxChars;
        String kept = cut ? value.substring(0, maxChars) : value;
        return kept.replaceAll("[^\\x20-\\x7e]", "?") + (cut ? "…" : "");
    }

    public static ResponseEntity<ProblemDetail> of(RelayEventException e, Map<String, Object> properties) {
        return of(e.status(), e.problemType(), e.title(), e.detail(), properties);
    }

    public static ResponseEntity<ProblemDetail> of(int status, String problemType, String title, String detail,
            Map<String, Object> properties) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail);
        problem.setType(URI.create(TYPE_BASE + problemType));
        problem.setTitle(title);
        properties.forEach((key, value) -> {
            if (value != null) {
                problem.setProperty(key, value);
            }
        });
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
