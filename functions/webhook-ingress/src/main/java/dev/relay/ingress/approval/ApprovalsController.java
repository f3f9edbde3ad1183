package dev.relay.ingress.approval;

import dev.relay.ingress.IngressProperties;
import dev.relay.ingress.sink.EventSink;
import dev.relay.shared.approvals.ApprovalSignature;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.BoundedRequests;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventMetrics;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.http.Problems;
import dev.relay.shared.http.RelayEventException;
import dev.relay.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /approvals}: a person approves or rejects a pending promotion. The bearer token names the approver
 * ({@link Approvers}); an approver may decide only for the environments configured for it (else 403
 * {@code approver-not-allowed}). The decision becomes a signed {@code dev.relay.promotion.approved} /
 * {@code .rejected} ({@link ApprovalSignature}) delivered straight to on-scan-pass-bump, whose answer decides the
 * caller's: 200 with the outcome (its answer event is put on the broker for the rest of the chain), or its 4xx problem
 * as is (403 {@code not-pending} when no such promotion waits). Nothing is kept here.
 */
@RestController
public class ApprovalsController {

    static final String FUNCTION = "webhook-ingress";
    static final long MAX_BODY = 16 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ApprovalsController.class);

    private final Approvers approvers;
    private final ApprovalSignature signature;
    private final ApprovalTarget target;
    private final EventSink sink;
    private final EventMetrics metrics;
    private final EventTracing tracing;

    public ApprovalsController(Approvers approvers, ApprovalSignature signature, ApprovalTarget target,
            EventSink sink, EventMetrics metrics, EventTracing tracing) {
        this.approvers = approvers;
        this.signature = signature;
        this.target = target;
        this.sink = sink;
        this.metrics = metrics;
        this.tracing = tracing;
        if (!signature.configured()) {
            log.info("{} is not set: POST /approvals answers 503 until it is", ApprovalSignature.SETTING);
        }
    }

    @PostMapping("/approvals")
    public ResponseEntity<?> decide(HttpServletRequest request) {
        long started = System.nanoTime();
        Map<String, String> headers = BoundedRequests.headers(request);
        Span span = tracing.startProducing("approval", headers);
        Tracer.SpanInScope scope = tracing.inScope(span);
        String approver = "-";
        String what = "-";
        String outcome = "failed";
        boolean decided = false;
        try {
            Map.Entry<String, IngressProperties.Approver> who = approvers.authenticate(headers.get("authorization"));
            approver = who.getKey();
            ApprovalDecision decision = ApprovalDecision.parse(BoundedRequests.body(request, MAX_BODY,
                    "the fixed approval size limit"));
            what = decision.verb() + " " + decision.app() + "/" + decision.environment() + " " + decision.digest();
            if (!who.getValue().environments().contains(decision.environment())) {
                throw new EventRejectedException(403, "approver-not-allowed", "Approver not allowed",
                        approver + " may decide promotions to " + who.getValue().environments() + ", not to "
                                + decision.environment() + ".");
            }
            if (!signature.configured()) {
                throw EventRetryableException.unavailable("approvals-not-configured", "Approvals are not configured",
                        ApprovalSignature.SETTING + " is not set, so no approval can be signed.", null);
            }
            CloudEvent event = signature.sign(tracing.stamp(decision.toEvent(approver), headers));
            MDC.put(RelayExtensions.TRACE, event.getId());
            ApprovalTarget.Answer answer = target.deliver(event);
            if (answer.status() >= 200 && answer.status() < 300) {
                outcome = decision.approve() ? "approved" : "rejected";
                ResponseEntity<?> ok = ResponseEntity.ok(accepted(decision, approver, event, answer));
                decided = true;
                return ok;
            }
            outcome = "refused-" + answer.status();
            return refusal(answer);
        } catch (RelayEventException e) {
            outcome = e.status() == 401 ? "unauthorized" : e.status() == 403 ? "forbidden" : "refused-" + e.status();
            return Problems.of(e, Map.of());
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            metrics.record(FUNCTION, "approval", outcome.startsWith("refused") ? "refused" : outcome, took);
            String line = "approval approver={} decision={} outcome={}";
            if (decided) {
                log.info(line, approver, what, outcome);
            } else {
                log.warn(line, approver, what, outcome);
            }
            MDC.remove(RelayExtensions.TRACE);
            span.tag("relay.outcome", outcome);
            scope.close();
            span.end();
        }
    }

    private Map<String, Object> accepted(ApprovalDecision decision, String approver, CloudEvent event,
            ApprovalTarget.Answer answer) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("decision", decision.verb());
        body.put("app", decision.app());
        body.put("environment", decision.environment());
        body.put("digest", decision.digest());
        body.put("approver", approver);
        body.put("id", event.getId());
        if (CloudEventCodec.carriesEvent(answer.headers())) {
            CloudEvent reply = CloudEventCodec.read(answer.headers(), answer.body());
            body.put("outcome", reply.getType());
            if (RelayEventTypes.MANIFEST_BUMPED.equals(reply.getType())
                    || RelayEventTypes.MANIFEST_UNCHANGED.equals(reply.getType())) {
                Payloads.Manifest manifest = EventPayloads.read(reply, Payloads.Manifest.class);
                if (manifest.commit() != null) {
                    body.put("commit", manifest.commit());
                }
                if (manifest.reason() != null) {
                    body.put("reason", manifest.reason());
                }
            }
            sink.send(reply);
        }
        return body;
    }

    /** on-scan-pass-bump's problem, passed on; its 401 means the two Services hold different signing keys. */
    private static ResponseEntity<?> refusal(ApprovalTarget.Answer answer) {
        if (answer.status() == 401) {
            log.error("on-scan-pass-bump refused webhook-ingress's approval signature: {} differs between the two",
                    ApprovalSignature.SETTING);
            return Problems.of(502, "approval-signature-refused", "Promotion service refused the signature",
                    "on-scan-pass-bump does not accept webhook-ingress's signature; the operators must give both "
                            + "the same " + ApprovalSignature.SETTING + ".", Map.of());
        }
        if (answer.status() >= 500) {
            return Problems.of(502, "approval-target-failed", "Promotion service failed",
                    "on-scan-pass-bump answered HTTP " + answer.status() + "; retry the same request.", Map.of());
        }
        return ResponseEntity.status(answer.status())
                .header(HttpHeaders.CONTENT_TYPE, answer.headers().getOrDefault("content-type",
                        "application/problem+json"))
                .body(answer.body());
    }
}
