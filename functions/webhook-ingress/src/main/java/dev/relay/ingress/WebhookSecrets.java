package dev.relay.ingress;

import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Looks up a producer's secret at the moment it is needed: a secret-file is re-read on every webhook (rotation). */
public final class WebhookSecrets {

    private static final Logger log = LoggerFactory.getLogger(WebhookSecrets.class);

    private final IngressProperties properties;

    public WebhookSecrets(IngressProperties properties) {
        this.properties = properties;
    }

    /**
     * The secret {@code producer} must prove it knows; empty only for a producer listed in
     * {@code relay.ingress.allow-unauthenticated} that has no secret.
     *
     * @throws EventRejectedException  401 when the producer has no secret and is not explicitly open
     * @throws EventRetryableException 503 when a configured secret-file cannot be read or is empty (a missing
     *                                 Secret key): the producer should redeliver once the secret is mounted
     */
    public Optional<WebhookSecret> forProducer(String producer) {
        Optional<IngressProperties.Provider> configured = properties.provider(producer);
        if (configured.isEmpty()) {
            if (properties.isOpen(producer)) {
                return Optional.empty();
            }
            throw new EventRejectedException(401, "webhook-unauthorized", "Webhook producer not configured",
                    producer + " has no secret, so its webhooks are refused: set "
                            + IngressProperties.secretSetting(producer) + " (or list " + producer
                            + " in relay.ingress.allow-unauthenticated to accept it without authentication).");
        }
        IngressProperties.Provider provider = configured.get();
        if (provider.secretFile() == null) {
            return Optional.of(new WebhookSecret(producer, provider.secret().getBytes(StandardCharsets.UTF_8),
                    provider.username()));
        }
        byte[] content;
        try {
            content = withoutTrailingNewline(Files.readAllBytes(provider.secretFile()));
        } catch (IOException e) {
            log.error("cannot read {} {}: {}", IngressProperties.secretSetting(producer), provider.secretFile(),
                    e.getClass().getSimpleName());
            throw unavailable(producer, provider.secretFile(), "cannot be read");
        }
        if (content.length == 0) {
            log.error("{} {} is empty", IngressProperties.secretSetting(producer), provider.secretFile());
            throw unavailable(producer, provider.secretFile(), "is empty");
        }
        return Optional.of(new WebhookSecret(producer, content, provider.username()));
    }

    /** Logs an ERROR for each configured secret-file that cannot be read now (a missing key of the Secret). */
    public void reportUnreadableFiles() {
        properties.providers().forEach((producer, provider) -> {
            if (provider.secretFile() != null && !Files.isReadable(provider.secretFile())) {
                log.error("{} {} cannot be read: {} webhooks are refused (503) until the file exists",
                        IngressProperties.secretSetting(producer), provider.secretFile(), producer);
            }
        });
    }

    private static EventRetryableException unavailable(String producer, Path file, String why) {
        return EventRetryableException.unavailable("webhook-secret-unavailable", "Webhook secret unavailable",
                "The secret for " + producer + " (" + IngressProperties.secretSetting(producer) + " " + file + ") "
                        + why + "; add the key '" + producer + "' to the Secret and retry.", null);
    }

    /** Files written with {@code echo} end in a newline that is not part of the secret. */
    private static byte[] withoutTrailingNewline(byte[] content) {
        int end = content.length;
        if (end > 0 && content[end - 1] == '\n') {
            end--;
            if (end > 0 && content[end - 1] == '\r') {
                end--;
            }
        }
        return end == content.length ? content : Arrays.copyOf(content, end);
    }
}
