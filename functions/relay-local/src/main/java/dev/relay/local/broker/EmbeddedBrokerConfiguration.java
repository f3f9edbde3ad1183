package dev.relay.local.broker;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.RelayExtensions;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the embedded broker: Triggers from {@code relay.local.broker.triggers-dir} (or the classpath copy of the
 * repository's {@code triggers/}), the local server port for subscriber addresses, and the HTTP endpoints.
 * The application provides a {@link HostedFunctions} bean.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BrokerProperties.class)
@Import(BrokerController.class)
public class EmbeddedBrokerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBrokerConfiguration.class);

    /** The port of the main web server, once it listens. */
    @Bean
    MainServerPort brokerMainServerPort(Environment environment) {
        return new MainServerPort(environment);
    }

    /**
     * {@code relay.local.broker.services.<name>=<url>}: Knative Services served by other processes (each function
     * started on its own, as in a cluster); a Trigger's ref to one of them is delivered to its URL.
     */
    @Bean
    SubscriberResolver brokerSubscriberResolver(ObjectProvider<HostedFunctions> hostedFunctions,
            MainServerPort port, Environment environment) {
        HostedFunctions hosted = hostedFunctions.getIfAvailable(() -> {
            log.warn("no HostedFunctions bean: the embedded broker treats every Service ref as not hosted");
            return HostedFunctions.none();
        });
        Map<String, URI> services = Binder.get(environment)
                .bind("relay.local.broker.services", Bindable.mapOf(String.class, URI.class)).orElse(Map.of());
        if (!services.isEmpty()) {
            log.info("the embedded broker delivers to Services served elsewhere: {}", services);
        }
        return new SubscriberResolver(hosted, port::get, services);
    }

    @Bean(destroyMethod = "close")
    EmbeddedBroker embeddedBroker(BrokerProperties properties, SubscriberResolver resolver,
            ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<MeterRegistry> meterRegistry,
            ObjectProvider<RelayProperties> relayProperties, Environment environment) {
        TriggerLoader loader = new TriggerLoader();
        List<TriggerDefinition> triggers = properties.triggersDir() != null
                ? loader.loadDirectory(properties.triggersDir())
                : loader.loadResources(TriggerLoader.DEFAULT_LOCATION);
        if (triggers.isEmpty()) {
            log.warn("the embedded broker found no Triggers in {}", properties.triggersDir() != null
                    ? properties.triggersDir() : TriggerLoader.DEFAULT_LOCATION);
        }
        Path journalDir = properties.journalDir() != null ? properties.journalDir()
                : Path.of(environment.getProperty("relay.local.work-dir", ".relay")).resolve("broker");
        return new EmbeddedBroker(triggers, resolver,
                jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()), properties, journalDir,
                configRepositoryLane(relayProperties.getIfAvailable()), meterRegistry.getIfAvailable());
    }

    /** An event's lane: the config repository of the pipeline its {@code relayapp} names, else the default lane. */
    static Function<CloudEvent, String> configRepositoryLane(RelayProperties relay) {
        return event -> RelayExtensions.read(event, RelayExtensions.APP)
                .flatMap(app -> relay == null ? Optional.empty() : relay.pipeline(app))
                .map(pipeline -> pipeline.configRepo().url())
                .orElse(DeliveryLanes.DEFAULT_LANE);
    }

    /**
     * Starts the broker's redelivery of journaled events once the web server listens, and drains it before the
     * web server stops (a higher phase stops first), so in-flight local deliveries can still finish.
     */
    @Bean
    SmartLifecycle embeddedBrokerLifecycle(EmbeddedBroker broker) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                broker.start();
                running = true;
            }

            @Override
            public void stop() {
                broker.drain();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return SmartLifecycle.DEFAULT_PHASE;
            }
        };
    }

    /** Remembers the main server's port ({@code local.server.port}); management servers are ignored. */
    static final class MainServerPort implements ApplicationListener<WebServerInitializedEvent> {

        private final AtomicInteger port = new AtomicInteger();
        private final Environment environment;

        MainServerPort(Environment environment) {
            this.environment = environment;
        }

        @Override
        public void onApplicationEvent(WebServerInitializedEvent event) {
            String namespace = event.getApplicationContext().getServerNamespace();
            if (namespace == null || namespace.isEmpty() || "server".equals(namespace)) {
                port.set(event.getWebServer().getPort());
            }
        }

        int get() {
            int known = port.get();
            return known > 0 ? known : environment.getProperty("local.server.port", Integer.class, -1);
        }
    }
}
