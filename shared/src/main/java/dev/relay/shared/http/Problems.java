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
