package dev.relay.shared.tracing;

import brave.handler.SpanHandler;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/** Relay's span export: Zipkin JSON v2 over HTTP, switched on at run time by the endpoint property. */
@AutoConfiguration(beforeName = "org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration")
@ConditionalOnClass(SpanHandler.class)
public class SpanExportAutoConfiguration {

    @Bean(destroyMethod = "close")
    SpanHandler relayZipkinSpanHandler(Environment environment) {
        return new LazyZipkinSpanHandler(environment);
    }
}
