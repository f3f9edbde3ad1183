package dev.relay.shared.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The id of the event that answers a finished Job or PipelineRun: derived from the object's uid and the outcome, so a
 * redelivered completion event (or the add event the ApiServerSource sends again when it restarts) answers with the
 * same id and nothing downstream counts it twice. {@code <function>-<outcome>-<32 hex of SHA-256(uid|outcome)>}.
 */
public final class CompletionIds {

    private CompletionIds() {
    }

    /**
     * @param outcome e.g. {@code image.pushed}; a different outcome of the same object is a different event
     */
    public static String of(String function, HasMetadata object, String outcome) {
        String uid = object.getMetadata().getUid();
        String key = uid != null && !uid.isBlank() ? uid
                : object.getMetadata().getNamespace() + "/" + object.getMetadata().getName() + "/"
                        + object.getMetadata().getCreationTimestamp();
        return function + "-" + outcome.replace('.', '-') + "-" + sha256(key + "|" + outcome).substring(0, 32);
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
