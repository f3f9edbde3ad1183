package dev.relay.shared.approvals;

import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof that a {@code dev.relay.promotion.approved} / {@code .rejected} event was issued by webhook-ingress after it
 * authenticated the approver: the extension {@value #EXTENSION} holds the hex HMAC-SHA256, keyed with the approval
 * signing key ({@code relay.approvals.signing-key-file}, a file both Services mount), of the event's id, type, source
 * and data, each followed by a newline. Whoever can post to the broker or to on-scan-pass-bump without that key
 * cannot forge an approval. The key file is read at each use (rotation) and never logged.
 */
public final class ApprovalSignature {

    public static final String EXTENSION = "relayapprovalsig";
    public static final String SETTING = "relay.approvals.signing-key-file";

    private final Path keyFile;

    /** @param keyFile the signing key file, or null when none is configured (every approval is then refused) */
    public ApprovalSignature(Path keyFile) {
        this.keyFile = keyFile;
    }

    public boolean configured() {
        return keyFile != null;
    }

    /** The event with its signature extension. */
    public CloudEvent sign(CloudEvent event) {
        return CloudEventBuilder.from(event).withExtension(EXTENSION, hex(key(), event)).build();
    }

    /**
     * @throws EventRejectedException  401 when the event carries no signature or a wrong one, or when no key is
     *                                 configured here
     * @throws EventRetryableException 503 when the configured key file cannot be read
     */
    public void verify(CloudEvent event) {
        Object presented = event.getExtension(EXTENSION);
        if (presented == null) {
            throw unauthorized("The event carries no " + EXTENSION + " extension: approvals and rejections are "
                    + "accepted only from webhook-ingress's authenticated POST /approvals.");
        }
        byte[] expected = hex(key(), event).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, presented.toString().getBytes(StandardCharsets.US_ASCII))) {
            throw unauthorized("The " + EXTENSION + " signature does not match the event signed with the approval "
                    + "signing key (" + SETTING + ").");
        }
    }

    private byte[] key() {
        if (keyFile == null) {
            throw unauthorized(SETTING + " is not set, so no approval can be verified; set it to a file holding "
                    + "the key shared by webhook-ingress and on-scan-pass-bump.");
        }
        byte[] content;
        try {
            content = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw unavailable(e.getClass().getSimpleName());
        }
        int end = content.length;
        while (end > 0 && (content[end - 1] == '\n' || content[end - 1] == '\r')) {
            end--;
        }
        if (end < 16) {
            throw unavailable("holds fewer than 16 bytes");
        }
        return Arrays.copyOf(content, end);
    }

    private static String hex(byte[] key, CloudEvent event) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (String field : new String[] {event.getId(), event.getType(), event.getSource().toString()}) {
                mac.update(field.getBytes(StandardCharsets.UTF_8));
                mac.update((byte) '\n');
            }
            if (event.getData() != null) {
                mac.update(event.getData().toBytes());
            }
            mac.update((byte) '\n');
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private EventRetryableException unavailable(String why) {
        return EventRetryableException.unavailable("approval-signing-key-unavailable",
                "Approval signing key unavailable", SETTING + " " + keyFile + " cannot be used (" + why
                        + "); retry once the key is mounted.", null);
    }

    private static EventRejectedException unauthorized(String detail) {
        return new EventRejectedException(401, "approval-unauthenticated", "Approval not authenticated", detail);
    }
}
