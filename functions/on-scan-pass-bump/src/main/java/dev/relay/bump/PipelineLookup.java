package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.Problems;

/** The pipeline and environment an event names, or a 422 problem saying which one is unknown. */
final class PipelineLookup {

    private final RelayProperties properties;

    PipelineLookup(RelayProperties properties) {
        this.properties = properties;
    }

    RelayProperties.Pipeline pipeline(String app) {
        if (app == null || app.isBlank()) {
            throw EventRejectedException.unprocessable("missing-field", "Missing field", "The event needs an 'app'.");
        }
        return properties.pipeline(app).orElseThrow(() -> EventRejectedException.unprocessable("unknown-app",
                "Unknown application", "No pipeline is configured for app '" + printable(app) + "'."));
    }

    RelayProperties.Environment environment(String app, RelayProperties.Pipeline pipeline, String environment) {
        if (environment == null || environment.isBlank()) {
            throw EventRejectedException.unprocessable("missing-field", "Missing field",
                    "The event needs an 'environment'.");
        }
        return pipeline.environment(environment).orElseThrow(() -> EventRejectedException.unprocessable(
                "unknown-environment", "Unknown environment", "Pipeline '" + app + "' has no environment '"
                        + printable(environment) + "'."));
    }

    static String printable(String value) {
        return Problems.shown(value, 64);
    }
}
