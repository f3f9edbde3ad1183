package dev.relay.ingress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Fixture payloads (verbatim copies, see webhooks/SOURCES.md) and an independent HMAC for signing them. */
final class Webhooks {

    private Webhooks() {
    }

    static byte[] fixture(String path) {
        try (InputStream in = Webhooks.class.getResourceAsStream("/webhooks/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture with one literal piece of text replaced (for derived cases, named as such in the tests). */
    static byte[] derived(String path, String original, String replacement) {
        String text = new String(fixture(path), StandardCharsets.UTF_8);
        if (!text.contains(original)) {
            throw new IllegalArgumentException(path + " does not contain " + original);
        }
        return text.replace(original, replacement).getBytes(StandardCharsets.UTF_8);
    }

    static String hmacSha256Hex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
