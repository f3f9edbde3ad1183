package dev.relay.ingress;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 *                       without an entry (or with neither secret nor secret-file) is refused with 401, unless it is
 *                       listed in {@code allowUnauthenticated}
 * @param allowUnauthenticated producers accepted without authentication (each named in a WARN at start); only on
 *                       their own path {@code /webhooks/<producer>}, never picked from headers on {@code /webhooks}
 * @param approvers      who may approve or reject promotions on {@code POST /approvals}: approver name → token file
 *                       and the environments that approver decides for
 * @param argocd         Argo CD Applications → Relay app and environment (when the Application carries no labels)
 * @param flux           Flux objects → Relay app and environment, and which event reasons mean "synced"
 * @param alertmanager   which alert labels name the Relay app and environment
 */
@Validated
@ConfigurationProperties("relay.ingress")
public record IngressProperties(
        @DefaultValue("1MB") @NotNull DataSize maxBody,
        @DefaultValue("10s") @NotNull Duration sinkTimeout,
        @DefaultValue("3s") @NotNull Duration connectTimeout,
        Map<@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,31}", message = "must be a producer name such as github") String,
                @Valid @NotNull Provider> providers,
        List<@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,31}", message = "must be a producer name such as github") String>
                allowUnauthenticated,
        Map<@Pattern(regexp = APPROVER, message = "must be an approver name (lowercase letters, digits, '.', '_', '-')")
                String, @Valid @NotNull Approver> approvers,
        @DefaultValue @Valid ArgoCd argocd,
        @DefaultValue @Valid Flux flux,
        @DefaultValue @Valid Alertmanager alertmanager) {

    /** Property naming where approvals go: on-scan-pass-bump's address, read at each use like the sink. */
    public static final String APPROVALS_TARGET_PROPERTY = "relay.ingress.approvals-target";
    /** An approver's name, as recorded in {@code Relay-Approved-By}. */
    public static final String APPROVER = "[a-z0-9][a-z0-9._-]{0,62}";
    /** Property naming the broker URI. */
    public static final String SINK_PROPERTY = "relay.ingress.sink";
    /** A Relay app or environment name: a DNS-1123 label. */
    public static final String NAME = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
    static final String NAME_MESSAGE = "must be a DNS-1123 label (lowercase letters, digits, '-')";

    public IngressProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
        allowUnauthenticated = allowUnauthenticated == null ? List.of() : List.copyOf(allowUnauthenticated);
        approvers = approvers == null ? Map.of() : Map.copyOf(approvers);
        argocd = argocd == null ? new ArgoCd(null) : argocd;
        flux = flux == null ? new Flux(null, null) : flux;
        alertmanager = alertmanager == null ? new Alertmanager(null, null, null, null) : alertmanager;
    }

    public Optional<Provider> provider(String producer) {
        return Optional.ofNullable(providers.get(producer)).filter(Provider::configured);
    }

    /** Whether {@code producer} has no secret and is explicitly allowed to post unauthenticated. */
    public boolean isOpen(String producer) {
        return provider(producer).isEmpty() && allowUnauthenticated.contains(producer);
    }

    /** The setting that gives {@code producer} its secret, for problems and log lines. */
    public static String secretSetting(String producer) {
        return "relay.ingress.providers." + producer + ".secret-file";
    }

    /**
     * How one producer authenticates. The secret comes either from a file, read at each use so a rotated secret
     * takes effect without a restart (a missing file refuses that producer's webhooks, it does not stop the
     * Service), or from a value (typically {@code ${GITHUB_WEBHOOK_SECRET}}).
     *
     * @param username for producers that may send Basic credentials (distribution, Alertmanager, Harbor, Argo CD,
     *                 Flux): the user name they must send; unset accepts any user name with the right password
     */
    public record Provider(Path secretFile, String secret, String username) {

        boolean configured() {
            return secretFile != null || (secret != null && !secret.isEmpty());
        }

        @AssertTrue(message = "set either secret or secret-file, not both")
        public boolean isOneSource() {
            return secretFile == null || secret == null || secret.isEmpty();
        }

        /** Never prints the secret. */
        @Override
        public String toString() {
            return "Provider[secretFile=" + secretFile + ", secret=" + (secret == null ? "unset" : "****")
                    + ", username=" + username + "]";
        }
    }

    /**
     * One approver ({@code relay.ingress.approvers.<name>.*}).
     *
     * @param tokenFile    file holding the approver's bearer token (e.g. Secret {@code relay-approvers} mounted at
     *                     {@code /var/run/secrets/relay/approvers/<name>}); read at each request, never logged
     * @param environments the environments this approver may approve or reject promotions to
     */
    public record Approver(@NotNull Path tokenFile,
            @NotEmpty List<@Pattern(regexp = NAME, message = NAME_MESSAGE) String> environments) {

        public Approver {
            environments = environments == null ? List.of() : List.copyOf(environments);
        }
    }

    /** The Relay app and environment a producer's object stands for. */
    public record Target(
            @NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE) String app,
            @NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE) String environment) {
    }

    /**
     * Argo CD ({@code relay.ingress.argocd.*}).
     *
     * @param applications Application name → app and environment, used when the notification carries no
     *                     {@code relay.dev/app} / {@code relay.dev/environment} labels (a name with a '.' needs the
     *                     bracket form {@code applications[web.prod]})
     */
    public record ArgoCd(Map<@Pattern(regexp = SUBDOMAIN, message = "must be an Application name (DNS-1123 subdomain)")
            String, @Valid @NotNull Target> applications) {

        public ArgoCd {
            applications = applications == null ? Map.of() : Map.copyOf(applications);
        }
    }

    /**
     * Flux ({@code relay.ingress.flux.*}).
     *
     * @param objects {@code <namespace>/<Kind>/<name>} → app and environment, used when the event's metadata names
     *                neither; the key contains '/', so write it in brackets: {@code objects[apps/Kustomization/web]}
     * @param reasons the event reasons that mean "applied" (for Kustomization and HelmRelease, severity info)
     */
    public record Flux(
            Map<@Pattern(regexp = "[a-z0-9][-a-z0-9.]*/(Kustomization|HelmRelease)/[a-z0-9][-a-z0-9.]*",
                    message = "must be <namespace>/<Kustomization|HelmRelease>/<name>") String,
                    @Valid @NotNull Target> objects,
            @DefaultValue("ReconciliationSucceeded") @NotEmpty List<@NotBlank String> reasons) {

        public Flux {
            objects = objects == null ? Map.of() : Map.copyOf(objects);
            reasons = reasons == null || reasons.isEmpty() ? List.of("ReconciliationSucceeded") : List.copyOf(reasons);
        }
    }

    /**
     * Alertmanager ({@code relay.ingress.alertmanager.*}): the alert label naming the app, else the fallback label;
     * likewise for the environment. An empty fallback turns the fallback off.
     */
    public record Alertmanager(
            @DefaultValue("relay_app") @NotBlank @Pattern(regexp = LABEL, message = LABEL_MESSAGE) String appLabel,
            @DefaultValue("service") @Pattern(regexp = "|" + LABEL, message = LABEL_MESSAGE) String appFallbackLabel,
            @DefaultValue("relay_environment") @NotBlank @Pattern(regexp = LABEL, message = LABEL_MESSAGE)
            String environmentLabel,
            @DefaultValue("environment") @Pattern(regexp = "|" + LABEL, message = LABEL_MESSAGE)
            String environmentFallbackLabel) {

        static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*";
        static final String LABEL_MESSAGE = "must be a Prometheus label name";

        public Alertmanager {
            appLabel = appLabel == null ? "relay_app" : appLabel;
            appFallbackLabel = appFallbackLabel == null ? "service" : appFallbackLabel;
            environmentLabel = environmentLabel == null ? "relay_environment" : environmentLabel;
            environmentFallbackLabel = environmentFallbackLabel == null ? "environment" : environmentFallbackLabel;
        }
    }

    static final String SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
}
