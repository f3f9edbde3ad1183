package dev.relay.shared.kubernetes;

import dev.relay.shared.http.EventRetryableException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * Kubernetes API failures as problems that name what is wrong: 403 names the function's missing RBAC verb and
 * resource (500), 401 the credential (502), 404 the missing namespace or resource type (500), a rejected object the
 * API's message (500), 429/5xx/timeouts 503; {@code AlreadyExists} (409) is recognised separately, because creating an
 * object named from the event key means a redelivery, not a failure.
 *
 * <p>Every translated failure is counted as {@code relay_kubernetes_api_errors_total{function,status}} (status: the
 * HTTP code, or {@code none} for a failure without one, e.g. a timeout) in Micrometer's global registry, which Spring
 * Boot's auto-configured registry joins ({@code management.metrics.use-global-registry}, on by default); with no
 * registry there the count is a no-op. {@link #isAlreadyExists} and {@link #isNotFound} count nothing.
 */
public final class KubernetesErrors {

    private KubernetesErrors() {
    }

    public static boolean isAlreadyExists(KubernetesClientException e) {
        return e.getCode() == 409
                || (e.getStatus() != null && "AlreadyExists".equals(e.getStatus().getReason()));
    }

    public static boolean isNotFound(KubernetesClientException e) {
        return e.getCode() == 404;
    }

    /** {@link #translate(KubernetesClientException, String, String, String, String, String)} with the usual 404 hint. */
    public static EventRetryableException translate(KubernetesClientException e, String function, String verb,
            String resource, String namespace) {
        return translate(e, function, verb, resource, namespace, "does the namespace exist?");
    }

    /**
     * @param function       the function whose ServiceAccount made the call (named in a 403)
     * @param verb           the RBAC verb of the call, e.g. {@code create}
     * @param resource       {@code resource.group}, e.g. {@code jobs.batch}
     * @param notFoundHint   what to check on a 404
     */
    public static EventRetryableException translate(KubernetesClientException e, String function, String verb,
            String resource, String namespace, String notFoundHint) {
        String apiMessage = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : String.valueOf(e.getMessage());
        int code = e.getCode();
        count(function, code);
        if (code == 403) {
            return new EventRetryableException(500, "kubernetes-forbidden",
                    "Relay may not " + verb + " " + resource,
                    "The ServiceAccount of " + function + " lacks RBAC verb '" + verb + "' on '" + resource
                            + "' in namespace '" + namespace + "' (see its Role in knative/" + function + "/role.yaml): "
                            + apiMessage, null);
        }
        if (code == 401) {
            return new EventRetryableException(502, "kubernetes-unauthorized",
                    "The Kubernetes API rejected Relay's credential",
                    "Unauthorized to " + verb + " " + resource + " in namespace '" + namespace + "': " + apiMessage,
                    null);
        }
        if (code == 404) {
            return new EventRetryableException(500, "kubernetes-not-found", "Cannot " + verb + " " + resource,
                    resource + " in namespace '" + namespace + "' not found: " + notFoundHint + " (" + apiMessage + ")",
                    null);
        }
        if (code == 400 || code == 422) {
            return new EventRetryableException(500, "kubernetes-rejected-object",
                    "The Kubernetes API rejected the " + resource + " object",
                    "Cannot " + verb + " " + resource + " in namespace '" + namespace + "': " + apiMessage, null);
        }
        if (code == 429 || code >= 500 || code <= 0) {
            return EventRetryableException.unavailable("kubernetes-unavailable", "The Kubernetes API is unavailable",
                    "Cannot " + verb + " " + resource + " in namespace '" + namespace + "' now: "
                            + (code > 0 ? "HTTP " + code + " " : "") + rootMessage(e), null);
        }
        return new EventRetryableException(502, "kubernetes-error", "The Kubernetes API failed",
                "Cannot " + verb + " " + resource + " in namespace '" + namespace + "': HTTP " + code + " "
                        + apiMessage, null);
    }

    private static void count(String function, int code) {
        try {
            Counter.builder("relay.kubernetes.api.errors")
                    .description("Kubernetes API calls that failed, by function and HTTP status")
                    .tag("function", function == null ? "unknown" : function)
                    .tag("status", code >= 100 && code <= 599 ? Integer.toString(code) : "none")
                    .register(Metrics.globalRegistry)
                    .increment();
        } catch (RuntimeException ignored) {
            // metrics must never change how an API failure is reported
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root == e ? e.getMessage() : e.getMessage() + " (" + root + ")";
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
