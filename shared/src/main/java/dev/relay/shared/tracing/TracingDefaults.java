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
 * sender, no HTTP client and no background reporter thread (Boot would otherwise report to localhost:9411). A user's
 * own {@code spring.autoconfigure.exclude} replaces this default one; then only the idle sender comes back.
 */
public final class TracingDefaults implements EnvironmentPostProcessor {

    static final String SOURCE = "relayTracingDefaults";
    static final String ZIPKIN_ENDPOINT = "management.tracing.export.zipkin.endpoint";
    static final String ZIPKIN_ENABLED = "management.tracing.export.zipkin.enabled";
    static final String SAMPLING = "management.tracing.sampling.probability";
    static final String EXCLUDE = "spring.autoconfigure.exclude";
    static final String ZIPKIN_AUTO_CONFIGURATION = "org.springframework.boot.zipkin.autoconfigure.ZipkinAutoConfiguration";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put(SAMPLING, "1.0");
        if (!environment.containsProperty(ZIPKIN_ENDPOINT)
                && !environment.containsProperty("management.zipkin.tracing.endpoint")) {
            defaults.put(ZIPKIN_ENABLED, "false");
            defaults.put(EXCLUDE, ZIPKIN_AUTO_CONFIGURATION);
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, defaults));
    }
}
