package dev.relay.shared.tracing;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Relay's tracing defaults, below every user setting: sample every change (Boot's default is 10%). Span export is
 * {@link SpanExportAutoConfiguration}'s, switched on by {@code management.tracing.export.zipkin.endpoint} at run time.
 */
public final class TracingDefaults implements EnvironmentPostProcessor {

    static final String SOURCE = "relayTracingDefaults";
    static final String SAMPLING = "management.tracing.sampling.probability";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of(SAMPLING, "1.0")));
    }
}
