package dev.relay.shared.config;

import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.MicrometerGitWriteListener;
import dev.relay.shared.http.CloudEventEndpoint;
import dev.relay.shared.http.EventMetrics;
import dev.relay.shared.http.RelayHttpProperties;
import dev.relay.shared.tracing.EventTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** What every Relay function process gets: the CloudEvent endpoint, metrics, the pipeline config, the Git writer. */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration",
        "org.springframework.cloud.function.context.config.ContextFunctionCatalogAutoConfiguration",
        "org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration"})
@EnableConfigurationProperties({RelayProperties.class, RelayHttpProperties.class})
public class RelayFunctionAutoConfiguration {

    @Bean
    static LazyInitializationExcludeFilter relayConfigurationIsEager() {
        return LazyInitializationExcludeFilter.forBeanTypes(RelayProperties.class, RelayHttpProperties.class);
    }

    @Bean
    @ConditionalOnMissingBean
    EventMetrics relayEventMetrics(ObjectProvider<MeterRegistry> registry) {
        return new EventMetrics(registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    /** Micrometer Tracing's tracer and W3C propagator; no-op ones when tracing is not on the classpath. */
    @Bean
    @ConditionalOnMissingBean
    EventTracing relayEventTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new EventTracing(tracer.getIfAvailable(() -> Tracer.NOOP),
                propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    @Bean
    @ConditionalOnMissingBean
    CloudEventEndpoint relayCloudEventEndpoint(FunctionCatalog catalog, RelayHttpProperties http, EventMetrics metrics,
            EventTracing tracing, Environment environment) {
        String defaultFunction = http.defaultFunction() != null && !http.defaultFunction().isBlank()
                ? http.defaultFunction()
                : environment.getProperty("spring.cloud.function.definition", "");
        return new CloudEventEndpoint(catalog,
                new RelayHttpProperties(http.maxEventBytes(), defaultFunction.contains(";") ? "" : defaultFunction),
                metrics, tracing);
    }

    @Bean
    @ConditionalOnMissingBean
    GitOpsWriter relayGitOpsWriter(RelayProperties properties, ObjectProvider<MeterRegistry> registry,
            Environment environment) {
        // function label: the process (spring.application.name), never the repository URL or branch
        String function = environment.getProperty("spring.application.name", "relay");
        return new GitOpsWriter(properties.git().toWriterSettings(),
                new MicrometerGitWriteListener(registry.getIfAvailable(SimpleMeterRegistry::new), function));
    }

}
