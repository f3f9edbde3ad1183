package dev.relay.shared.http;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * HTTP settings of a function process.
 *
 * @param maxEventBytes   largest accepted request body (default 1 MiB); larger bodies answer 413
 * @param defaultFunction the function {@code POST /} invokes; unset means {@code spring.cloud.function.definition}
 */
@ConfigurationProperties("relay.http")
public record RelayHttpProperties(
        @DefaultValue("1048576") long maxEventBytes,
        String defaultFunction) {
}
