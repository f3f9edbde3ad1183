package dev.relay.scan.reconcile;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.tracing.EventTracing;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** on-image-scan's reconcile, built on the first tick (start-up stays lazy). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ReconcileProperties.class)
public class ReconcileConfiguration {

    @Bean
    ImageReconciler imageReconciler(RelayProperties relay, ReconcileProperties properties, GitOpsWriter git,
            Environment environment, EventTracing tracing) {
        return new ImageReconciler(relay, properties, git, new RegistryClient(properties),
                new RepairSink(environment::getProperty, properties.timeout(), tracing::currentContext),
                Clock.systemUTC());
    }
}
