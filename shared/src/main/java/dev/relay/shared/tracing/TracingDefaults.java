package dev.relay.shared.tracing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Relay's tracing defaults, below every user setting: sample every change (Boot's default is 10%), and export spans
 * to Zipkin only when {@code management.tracing.export.zipkin.endpoint} is set, so an unconfigured function has no
 * sender and no background reporter thread.
 */
public final class TracingDefaults implements EnvironmentPostProcessor {

    static final String SOURCE = "relayTracingDefaults";
    static final String ZIPKIN_ENDPOINT = "management.tracing.export.zipkin.endpoint";
    static final String ZIPKIN_ENABLED = "management.tracing.export.zipkin.enabled";
    static final String SAMPLING = "management.tracing.sampling.probability";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put(SAMPLING, "1.0");
        if (!environment.containsProperty(ZIPKIN_ENDPOINT)
                && !environment.containsProperty("management.zipkin.tracing.endpoint")) {
            defaults.put(ZIPKIN_ENABLED, "false");
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, defaults));
    }
}
