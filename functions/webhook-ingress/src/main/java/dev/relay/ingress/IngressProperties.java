package dev.relay.ingress;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of webhook-ingress ({@code relay.ingress.*}).
 *
 * <p>The broker address is deliberately not bound here: {@link dev.relay.ingress.sink.HttpEventSink} reads
 * {@code relay.ingress.sink} (falling back to {@code K_SINK}) from the Environment at each send, because
 * relay-local points it at {@code ${local.server.port}}, which only resolves once the server runs.
 *
 * @param maxBody        largest accepted webhook body; larger ones answer 413
 * @param sinkTimeout    how long one POST to the broker may take before the webhook answers 503
 * @param connectTimeout TCP connect timeout towards the broker
 * @param providers      authentication per producer ({@code github}, {@code gitlab}, {@code gitea}, …); a producer
 *                       without an entry (or with neither secret nor secret-file) is accepted unauthenticated
 */
@Validated
@ConfigurationProperties("relay.ingress")
public record IngressProperties(
        @DefaultValue("1MB") @NotNull DataSize maxBody,
        @DefaultValue("10s") @NotNull Duration sinkTimeout,
        @DefaultValue("3s") @NotNull Duration connectTimeout,
        Map<@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,31}", message = "must be a producer name such as github") String,
                @Valid @NotNull Provider> providers) {

    /** Property naming the broker URI. */
    public static final String SINK_PROPERTY = "relay.ingress.sink";

    public IngressProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
    }

    public Optional<Provider> provider(String producer) {
        return Optional.ofNullable(providers.get(producer)).filter(Provider::configured);
    }

    /**
     * How one producer authenticates. The secret comes either from a file, read at each use so a rotated secret
     * takes effect without a restart, or from a value (typically {@code ${GITHUB_WEBHOOK_SECRET}}).
     */
    public record Provider(Path secretFile, String secret) {

        boolean configured() {
            return secretFile != null || (secret != null && !secret.isEmpty());
        }

        @AssertTrue(message = "set either secret or secret-file, not both")
        public boolean isOneSource() {
            return secretFile == null || secret == null || secret.isEmpty();
        }

        @AssertTrue(message = "secret-file must name a readable file")
        public boolean isSecretFileReadable() {
            return secretFile == null || Files.isReadable(secretFile);
        }

        /** Never prints the secret. */
        @Override
        public String toString() {
            return "Provider[secretFile=" + secretFile + ", secret=" + (secret == null ? "unset" : "****") + "]";
        }
    }
}
