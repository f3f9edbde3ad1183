package dev.relay.ingress;

import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.Problems;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Event ids derived from the producer's delivery id ({@code github-<X-GitHub-Delivery>}), so a redelivery of the
 * same webhook yields the same CloudEvent id; without a delivery id, from a SHA-256 of the body
 * ({@code gitlab-sha256-<hex>}), which is just as stable for a redelivery.
 */
public final class DeliveryIds {

    private static final Pattern DELIVERY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private DeliveryIds() {
    }

    /**
     * @throws EventRejectedException 400 for a delivery id that is not a plain token (it becomes a CloudEvent id
     *                                and a log field)
     */
    public static String eventId(String producer, String header, String delivery, byte[] body) {
        if (delivery == null || delivery.isBlank()) {
            return producer + "-sha256-" + sha256Hex(body);
        }
        String trimmed = delivery.trim();
        if (!DELIVERY.matcher(trimmed).matches()) {
            throw EventRejectedException.badRequest("invalid-delivery-id", "Invalid delivery id",
                    header + " must be 1-128 letters, digits, '.', '_', ':' or '-'.");
        }
        return producer + "-" + trimmed;
    }

    /**
     * An id derived from what identifies one occurrence at the producer ({@code argocd-<32 hex>}): a SHA-256 over the
     * parts, each terminated by a NUL so that no two different part lists hash alike. The producer redelivering the
     * same occurrence (Argo CD retries, Flux retries, Alertmanager re-notifying a still-firing alert) yields the same id.
     */
    public static String derived(String producer, String... parts) {
        StringBuilder joined = new StringBuilder();
        for (String part : parts) {
            joined.append(part == null ? "" : part).append('\0');
        }
        return producer + "-" + sha256Hex(joined.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring(0, 32);
    }

    /** At most 100 characters, control characters replaced: safe to echo in a problem and to log. */
    public static String printable(String value) {
        return Problems.shown(value, 100);
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
