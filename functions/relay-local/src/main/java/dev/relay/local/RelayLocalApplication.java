package dev.relay.local;

import dev.relay.ingress.IngressConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * Every Relay function in one process, chained by an embedded broker that reads {@code triggers/*.yaml}; webhooks
 * enter at {@code POST /webhooks} and go to the embedded broker.
 */
@SpringBootApplication(scanBasePackages = {"dev.relay.local", "dev.relay.build", "dev.relay.scan", "dev.relay.bump",
        "dev.relay.verify", "dev.relay.rollback"})
@Import(IngressConfiguration.class)
public class RelayLocalApplication {

    public static void main(String[] args) {
        SpringApplication.run(RelayLocalApplication.class, args);
    }
}
