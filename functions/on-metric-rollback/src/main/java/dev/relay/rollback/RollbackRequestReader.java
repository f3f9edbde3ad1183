package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.Problems;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns {@code dev.relay.metric.breached} and {@code dev.relay.verify.failed} into a {@link RollbackRequest},
 * rejecting (4xx) events that name no configured app and environment or carry an invalid image.
 */
final class RollbackRequestReader {

    private final RelayProperties properties;

    RollbackRequestReader(RelayProperties properties) {
        this.properties = properties;
    }

    RollbackRequest metricBreached(CloudEvent event) {
        Payloads.MetricBreached breach = EventPayloads.read(event, Payloads.MetricBreached.class);
        String app = orExtension(breach.app(), event, RelayExtensions.APP);
        String environmentName = orExtension(breach.environment(), event, RelayExtensions.ENVIRONMENT);
        RelayProperties.Pipeline pipeline = pipeline(app);
        RelayProperties.Environment environment = environment(app, pipeline, environmentName);
        String metric = breach.metric() == null || breach.metric().isBlank() ? null : printable(breach.metric());
        String evidence = breach.value() == null ? "reported by " + printable(event.getSource().toString())
                : "reported " + SloCondition.format(breach.value())
                        + (breach.threshold() == null ? "" : ", threshold " + SloCondition.format(breach.threshold()));
        Instant breachedAt = EventPayloads.read(event, BreachStart.class).startsAtTime().or(() -> timeOf(event))
                .orElse(null);
        return new RollbackRequest(event.getId(), RelayExtensions.traceOf(event), app, pipeline, environment,
                RollbackCause.METRIC_BREACHED, null, null, metric, finite(breach.value()), finite(breach.threshold()),
                evidence, breachedAt);
    }

    RollbackRequest verifyFailed(CloudEvent event) {
        Payloads.Verify verify = EventPayloads.read(event, Payloads.Verify.class);
        String app = orExtension(verify.app(), event, RelayExtensions.APP);
        String environmentName = orExtension(verify.environment(), event, RelayExtensions.ENVIRONMENT);
        RelayProperties.Pipeline pipeline = pipeline(app);
        RelayProperties.Environment environment = environment(app, pipeline, environmentName);
        if (verify.image() != null && !verify.image().equals(pipeline.image())) {
            throw EventRejectedException.unprocessable("image-not-owned", "Image does not belong to the app",
                    "Pipeline '" + app + "' deploys " + pipeline.image() + ", not " + printable(verify.image()) + ".");
        }
        if (verify.digest() == null || verify.digest().isBlank()) {
            throw EventRejectedException.unprocessable("missing-field", "Missing field",
                    "The verify.failed data needs the failed image's 'digest'.");
        }
        try {
            ImageValues.requireDigest("digest", verify.digest());
            if (verify.tag() != null && !verify.tag().isBlank()) {
                ImageValues.requireTag("tag", verify.tag());
            }
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-reference", "Invalid image reference",
                    e.getMessage());
        }
        List<Payloads.Check> checks = verify.checks() == null ? List.of() : verify.checks();
        String failed = checks.stream().filter(Objects::nonNull).filter(check -> !check.ok())
                .map(check -> printable(Objects.toString(check.name(), "unnamed")))
                .limit(10).collect(Collectors.joining(", "));
        return new RollbackRequest(event.getId(), RelayExtensions.traceOf(event), app, pipeline, environment,
                RollbackCause.VERIFY_FAILED, verify.digest(), verify.tag() == null || verify.tag().isBlank() ? null
                        : verify.tag(), null, null, null, failed.isEmpty() ? null : "failed checks: " + failed,
                timeOf(event).orElse(null));
    }

    /** The alert's {@code startsAt}, which webhook-ingress carries in the metric.breached data next to its fields. */
    record BreachStart(String startsAt) {
        Optional<Instant> startsAtTime() {
            return DoraTrailers.parse(startsAt);
        }
    }

    private static Optional<Instant> timeOf(CloudEvent event) {
        return Optional.ofNullable(event.getTime()).map(OffsetDateTime::toInstant);
    }

    private RelayProperties.Pipeline pipeline(String app) {
        if (app == null || app.isBlank()) {
            throw EventRejectedException.unprocessable("missing-field", "Missing field", "The event needs an 'app'.");
        }
        return properties.pipeline(app).orElseThrow(() -> EventRejectedException.unprocessable("unknown-app",
                "Unknown application", "No pipeline is configured for app '" + printable(app) + "'."));
    }

    private static RelayProperties.Environment environment(String app, RelayProperties.Pipeline pipeline,
            String environment) {
        if (environment == null || environment.isBlank()) {
            throw EventRejectedException.unprocessable("missing-field", "Missing field",
                    "The event needs an 'environment'.");
        }
        return pipeline.environment(environment).orElseThrow(() -> EventRejectedException.unprocessable(
                "unknown-environment", "Unknown environment", "Pipeline '" + app + "' has no environment '"
                        + printable(environment) + "'."));
    }

    private static String orExtension(String value, CloudEvent event, String extension) {
        return value != null && !value.isBlank() ? value : RelayExtensions.read(event, extension).orElse(null);
    }

    private static Double finite(Double value) {
        return value == null || value.isNaN() || value.isInfinite() ? null : value;
    }

    /** At most 100 printable ASCII characters: safe in a commit body, a hold file and a log line. */
    static String printable(String value) {
        return Problems.shown(value, 100);
    }
}
