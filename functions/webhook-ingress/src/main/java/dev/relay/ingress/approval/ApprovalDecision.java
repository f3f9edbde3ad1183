package dev.relay.ingress.approval;

import static dev.relay.ingress.git.JsonFields.text;

import dev.relay.ingress.IngressProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One person's decision on a pending promotion, as posted to {@code POST /approvals}:
 * {@code {"app":…,"environment":…,"digest":"sha256:…","decision":"approve"|"reject","reason":…}} ({@code decision}
 * defaults to {@code approve}; {@code reason} is optional). The approver is never read from the body: it is the
 * identity the bearer token authenticated.
 *
 * @param approve whether it approves (else it rejects)
 */
public record ApprovalDecision(String app, String environment, String digest, boolean approve, String reason) {

    static final int MAX_REASON = 200;

    /**
     * @throws EventRejectedException 400 for a body that is not a JSON object, 422 for an invalid field
     */
    public static ApprovalDecision parse(byte[] body) {
        JsonNode json;
        try {
            json = EventPayloads.mapper().readTree(body);
        } catch (JacksonException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw EventRejectedException.badRequest("invalid-approval", "Not an approval",
                    "The body must be a JSON object with app, environment, digest and optionally decision "
                            + "(approve|reject) and reason.");
        }
        String app = name("app", text(json, "app"));
        String environment = name("environment", text(json, "environment"));
        String digest = text(json, "digest");
        try {
            ImageValues.requireDigest("digest", digest == null ? "" : digest);
        } catch (InvalidImageValueException e) {
            throw invalid("digest", "'digest' must be sha256:<64 hex digits>.");
        }
        String decision = text(json, "decision");
        if (decision != null && !decision.equals("approve") && !decision.equals("reject")) {
            throw invalid("decision", "'decision' must be approve or reject.");
        }
        String reason = text(json, "reason");
        if (reason != null && (reason.isBlank() || reason.length() > MAX_REASON
                || reason.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
            throw invalid("reason", "'reason' must be one line of at most " + MAX_REASON + " characters.");
        }
        return new ApprovalDecision(app, environment, digest, !"reject".equals(decision),
                reason == null ? null : reason.strip());
    }

    public String verb() {
        return approve ? "approve" : "reject";
    }

    /**
     * The event for on-scan-pass-bump. Its id depends only on what is decided (not on who or when), so a caller
     * retrying after a lost answer gets the same outcome instead of a second decision.
     */
    public CloudEvent toEvent(String approver) {
        String id = (approve ? "approval-" : "rejection-") + hash(app + "/" + environment + "/" + digest);
        Object data = approve ? new Payloads.PromotionApproved(app, environment, digest, approver)
                : new Payloads.PromotionRejected(app, environment, digest, approver, reason);
        return CloudEventBuilder.v1()
                .withId(id)
                .withSource(URI.create(RelaySources.WEBHOOK_INGRESS))
                .withType(approve ? RelayEventTypes.PROMOTION_APPROVED : RelayEventTypes.PROMOTION_REJECTED)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(EventPayloads.toJson(data))
                .withExtension(RelayExtensions.TRACE, id)
                .withExtension(RelayExtensions.APP, app)
                .withExtension(RelayExtensions.ENVIRONMENT, environment)
                .build();
    }

    private static String name(String field, String value) {
        if (value == null || !value.matches(IngressProperties.NAME)) {
            throw invalid(field, "'" + field + "' must be a DNS-1123 label (lowercase letters, digits, '-').");
        }
        return value;
    }

    private static EventRejectedException invalid(String field, String detail) {
        return EventRejectedException.unprocessable("invalid-" + field, "Invalid " + field, detail);
    }

    private static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
