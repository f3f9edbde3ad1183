package dev.relay.ingress;

import dev.relay.shared.http.EventRejectedException;
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

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
