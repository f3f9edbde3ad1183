package dev.relay.ingress.approval;

import dev.relay.ingress.IngressProperties;
import dev.relay.shared.http.EventRejectedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is asking: the approver whose token file holds the presented bearer token. Every configured token is compared
 * (in constant time, hashed first) on every request, so the answer time does not tell which approver was close; token
 * files are read at each request (rotation) and never logged.
 */
public final class Approvers {

    private static final Logger log = LoggerFactory.getLogger(Approvers.class);
    private static final String BEARER = "Bearer ";

    private final Map<String, IngressProperties.Approver> approvers;

    public Approvers(IngressProperties properties) {
        this.approvers = properties.approvers();
        if (approvers.isEmpty()) {
            log.info("no approvers configured (relay.ingress.approvers): POST /approvals refuses every request");
        }
        approvers.forEach((name, approver) -> {
            if (!Files.isReadable(approver.tokenFile())) {
                log.error("relay.ingress.approvers.{}.token-file {} cannot be read: {} cannot approve until it exists",
                        name, approver.tokenFile(), name);
            }
        });
    }

    /**
     * The authenticated approver's name and settings.
     *
     * @throws EventRejectedException 401 when the header is missing, not a bearer token, or matches no approver
     */
    public Map.Entry<String, IngressProperties.Approver> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw unauthorized("Send the approver's token as 'Authorization: Bearer <token>'.");
        }
        byte[] presented = sha256(authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8));
        Map.Entry<String, IngressProperties.Approver> match = null;
        for (Map.Entry<String, IngressProperties.Approver> approver : approvers.entrySet()) {
            Optional<byte[]> token = token(approver.getKey(), approver.getValue());
            boolean equal = token.isPresent() && MessageDigest.isEqual(sha256(token.get()), presented);
            if (equal && match == null) {
                match = approver;
            }
        }
        if (match == null) {
            throw unauthorized("The token matches no approver configured in relay.ingress.approvers.");
        }
        return match;
    }

    private static Optional<byte[]> token(String name, IngressProperties.Approver approver) {
        try {
            byte[] content = Files.readAllBytes(approver.tokenFile());
            int end = content.length;
            while (end > 0 && (content[end - 1] == '\n' || content[end - 1] == '\r')) {
                end--;
            }
            return end == 0 ? Optional.empty() : Optional.of(Arrays.copyOf(content, end));
        } catch (IOException e) {
            log.error("relay.ingress.approvers.{}.token-file {} cannot be read: {}", name, approver.tokenFile(),
                    e.getClass().getSimpleName());
            return Optional.empty();
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
        return new EventRejectedException(401, "approver-unauthenticated", "Approver not authenticated", detail);
    }
}
