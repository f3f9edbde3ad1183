package dev.relay.bump;

import dev.relay.shared.approvals.ApprovalProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@code relay.approvals.*}: the key that proves an approval came from webhook-ingress. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApprovalProperties.class)
class ApprovalConfiguration {
}
