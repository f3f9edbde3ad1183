package dev.relay.ingress;

import dev.relay.shared.http.EventRejectedException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A producer's shared secret, and the two ways producers prove they know it: an HMAC-SHA256 of the raw body, or
 * the secret itself in a header. Comparisons are constant-time; the secret is never printed, logged or echoed.
 */
public final class WebhookSecret {

    private static final String BEARER = "Bearer ";

    private final String producer;
    private final byte[] key;

    public WebhookSecret(String producer, byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("empty secret for " + producer);
        }
        this.producer = producer;
        this.key = key.clone();
    }

    /** Lower-case hex HMAC-SHA256 of {@code body} with this secret as key. */
    public String hmacSha256Hex(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Requires {@code presented} (a header value, maybe null) to equal {@code prefix} + the hex HMAC-SHA256 of the
     * body; hex digits in any case.
     *
     * @throws EventRejectedException 401 naming the header, never the expected value
     */
    public void requireHmacSha256(String header, String presented, String prefix, byte[] body) {
        if (presented == null || presented.isBlank()) {
            throw unauthorized(header + " is missing; " + producer + " must sign its webhooks with the configured secret.");
        }
        String candidate = presented.trim();
        boolean prefixed = candidate.regionMatches(true, 0, prefix, 0, prefix.length());
        byte[] expected = hmacSha256Hex(body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = (prefixed ? candidate.substring(prefix.length()) : "").toLowerCase(Locale.ROOT)
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw unauthorized(header + " does not match the body signed with the configured " + producer + " secret.");
        }
    }

    /**
     * Requires {@code presented} to equal the secret. Both sides are hashed first, so the comparison takes the same
     * time whatever the lengths.
     */
    public void requireToken(String header, String presented) {
        if (presented == null || presented.isEmpty()) {
            throw unauthorized(header + " is missing; " + producer + " must send the configured secret token.");
        }
        if (!MessageDigest.isEqual(sha256(key), sha256(presented.getBytes(StandardCharsets.UTF_8)))) {
            throw unauthorized(header + " does not match the configured " + producer + " secret token.");
        }
    }

    /**
     * Requires {@code presented} (an {@code Authorization} header value) to be the secret itself or
     * {@code Bearer <secret>}: Harbor sends its configured "Auth Header" verbatim, the distribution registry sends
     * the {@code headers} of its endpoint configuration, and operators write either form. Both forms are compared
     * in constant time, always both.
     */
    public void requireAuthorization(String header, String presented) {
        if (presented == null || presented.isBlank()) {
            throw unauthorized(header + " is missing; " + producer + " must send the configured secret (raw or as "
                    + "'Bearer <secret>').");
        }
        String value = presented.trim();
        byte[] expected = sha256(key);
        boolean raw = MessageDigest.isEqual(expected, sha256(value.getBytes(StandardCharsets.UTF_8)));
        boolean hasScheme = value.regionMatches(true, 0, BEARER, 0, BEARER.length());
        String token = hasScheme ? value.substring(BEARER.length()).trim() : "";
        boolean bearer = MessageDigest.isEqual(expected, sha256(token.getBytes(StandardCharsets.UTF_8)));
        if (!(raw | (hasScheme & bearer))) {
            throw unauthorized(header + " does not match the configured " + producer + " secret.");
        }
    }

    private static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static EventRejectedException unauthorized(String detail) {
        return new EventRejectedException(401, "webhook-unauthorized", "Webhook not authenticated", detail);
    }

    @Override
    public String toString() {
        return "WebhookSecret[" + producer + ", ****]";
    }
}
