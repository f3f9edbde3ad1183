package dev.relay.ingress;

import dev.relay.shared.http.EventRetryableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
     * The secret configured for {@code producer}, if any.
     *
     * @throws EventRetryableException 503 when a configured secret-file cannot be read or is empty: the producer
     *                                 should redeliver once the secret is mounted again
     */
    public Optional<WebhookSecret> forProducer(String producer) {
        return properties.provider(producer).map(provider -> {
            if (provider.secretFile() == null) {
                return new WebhookSecret(producer, provider.secret().getBytes(StandardCharsets.UTF_8));
            }
            byte[] content;
            try {
                content = withoutTrailingNewline(Files.readAllBytes(provider.secretFile()));
            } catch (IOException e) {
                log.error("cannot read relay.ingress.providers.{}.secret-file {}: {}", producer,
                        provider.secretFile(), e.getClass().getSimpleName());
                throw unavailable(producer);
            }
            if (content.length == 0) {
                log.error("relay.ingress.providers.{}.secret-file {} is empty", producer, provider.secretFile());
                throw unavailable(producer);
            }
            return new WebhookSecret(producer, content);
        });
    }

    private static EventRetryableException unavailable(String producer) {
        return EventRetryableException.unavailable("webhook-secret-unavailable", "Webhook secret unavailable",
                "The secret for " + producer + " (relay.ingress.providers." + producer
                        + ".secret-file) cannot be read right now; retry later.", null);
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
