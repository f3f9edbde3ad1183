package dev.relay.ingress;

import dev.relay.shared.http.EventRejectedException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A producer's shared secret, and the ways producers prove they know it: an HMAC-SHA256 of the body, the secret
 * itself in a header, or Basic credentials. Comparisons are constant-time; the secret is never printed, logged or echoed.
 */
public final class WebhookSecret {

    private static final String BEARER = "Bearer ";
    private static final String BASIC = "Basic ";
    private static final String WHSEC = "whsec_";

    private final String producer;
    private final byte[] key;
    private final String username;

    public WebhookSecret(String producer, byte[] key) {
        this(producer, key, null);
    }

    /** @param username the user name Basic credentials must carry; null accepts any */
    public WebhookSecret(String producer, byte[] key, String username) {
        if (key.length == 0) {
            throw new IllegalArgumentException("empty secret for " + producer);
        }
        this.producer = producer;
        this.key = key.clone();
        this.username = username;
    }

    /** Lower-case hex HMAC-SHA256 of {@code body} with this secret as key. */
    public String hmacSha256Hex(byte[] body) {
        return HexFormat.of().formatHex(hmacSha256(key, body));
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
     * Requires {@code presented} (an {@code Authorization} header value) to be the secret itself,
     * {@code Bearer <secret>} or {@code Basic <base64(user:secret)>}: Harbor sends its configured "Auth Header"
     * verbatim, the distribution registry sends the {@code headers} of its endpoint configuration, Alertmanager's
     * {@code http_config} sends {@code authorization} (Bearer) or {@code basic_auth}, and operators write any of
     * these. With {@code username} set, Basic also requires that user name. Every form is compared in constant
     * time, always all of them.
     */
    public void requireAuthorization(String header, String presented, String username) {
        if (presented == null || presented.isBlank()) {
            throw unauthorized(header + " is missing; " + producer + " must send the configured secret (raw, as "
                    + "'Bearer <secret>' or as Basic credentials).");
        }
        String value = presented.trim();
        byte[] expected = sha256(key);
        boolean raw = MessageDigest.isEqual(expected, sha256(value.getBytes(StandardCharsets.UTF_8)));
        boolean hasBearer = value.regionMatches(true, 0, BEARER, 0, BEARER.length());
        String token = hasBearer ? value.substring(BEARER.length()).trim() : "";
        boolean bearer = MessageDigest.isEqual(expected, sha256(token.getBytes(StandardCharsets.UTF_8)));
        boolean hasBasic = value.regionMatches(true, 0, BASIC, 0, BASIC.length());
        byte[] credentials = hasBasic ? basicCredentials(value.substring(BASIC.length()).trim()) : new byte[0];
        int colon = indexOf(credentials, (byte) ':');
        byte[] password = colon < 0 ? new byte[0] : Arrays.copyOfRange(credentials, colon + 1, credentials.length);
        byte[] user = colon < 0 ? new byte[0] : Arrays.copyOfRange(credentials, 0, colon);
        boolean basicPassword = MessageDigest.isEqual(expected, sha256(password));
        boolean basicUser = username == null || username.isEmpty()
                || MessageDigest.isEqual(sha256(username.getBytes(StandardCharsets.UTF_8)), sha256(user));
        if (!(raw | (hasBearer & bearer) | (hasBasic & colon >= 0 & basicPassword & basicUser))) {
            throw unauthorized(header + " does not match the configured " + producer + " secret.");
        }
    }

    /** {@link #requireAuthorization(String, String, String)} with the configured user name. */
    public void requireAuthorization(String header, String presented) {
        requireAuthorization(header, presented, username);
    }

    /**
     * Standard Webhooks (GitLab's signing token): {@code webhook-signature: v1,<base64 HMAC-SHA256>} (one or more,
     * space-separated) over {@code <webhook-id>.<webhook-timestamp>.<body>}, keyed with the base64 key after the
     * secret's {@code whsec_} prefix; the timestamp (Unix seconds) must be within {@code tolerance} of {@code now}
     * so a captured delivery cannot be replayed later.
     */
    public void requireStandardWebhookSignature(String id, String timestamp, String signatures, byte[] body,
            Instant now, Duration tolerance) {
        if (id == null || id.isBlank() || timestamp == null || timestamp.isBlank() || signatures == null
                || signatures.isBlank()) {
            throw unauthorized("webhook-id, webhook-timestamp and webhook-signature are required; " + producer
                    + " must sign its webhooks with the configured signing token.");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw unauthorized("webhook-timestamp is not a Unix time in seconds.");
        }
        if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
            throw unauthorized("webhook-timestamp is more than " + tolerance.toSeconds()
                    + " s away from this server's clock; a stale or replayed delivery is refused.");
        }
        String text = new String(key, StandardCharsets.UTF_8);
        byte[] hmacKey;
        try {
            hmacKey = Base64.getDecoder().decode(text.startsWith(WHSEC) ? text.substring(WHSEC.length()) : text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the " + producer + " signing token is not whsec_<base64>");
        }
        byte[] signed = (id.trim() + "." + seconds + ".").getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[signed.length + body.length];
        System.arraycopy(signed, 0, message, 0, signed.length);
        System.arraycopy(body, 0, message, signed.length, body.length);
        byte[] expected = Base64.getEncoder().encode(hmacSha256(hmacKey, message));
        boolean match = false;
        for (String candidate : signatures.trim().split("\\s+")) {
            byte[] given = candidate.startsWith("v1,") ? candidate.substring(3).getBytes(StandardCharsets.US_ASCII)
                    : new byte[0];
            match |= MessageDigest.isEqual(expected, given);
        }
        if (!match) {
            throw unauthorized("webhook-signature does not match the body signed with the configured " + producer
                    + " signing token.");
        }
    }

    /** Whether the secret is a Standard Webhooks signing token ({@code whsec_<base64>}). */
    public boolean isSigningToken() {
        return new String(key, StandardCharsets.UTF_8).startsWith(WHSEC);
    }

    private static byte[] basicCredentials(String encoded) {
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] hmacSha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
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
