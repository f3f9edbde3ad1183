package dev.relay.shared.approvals;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code relay.approvals.*}, read by webhook-ingress (which signs approvals) and on-scan-pass-bump (which verifies
 * them).
 *
 * @param signingKeyFile file holding the approval signing key (at least 16 bytes, e.g. {@code openssl rand -hex 32});
 *                       unset refuses every approval
 */
@ConfigurationProperties("relay.approvals")
public record ApprovalProperties(Path signingKeyFile) {

    public ApprovalSignature signature() {
        return new ApprovalSignature(signingKeyFile);
    }
}
