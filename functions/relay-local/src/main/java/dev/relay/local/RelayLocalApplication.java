package dev.relay.local;

import dev.relay.ingress.IngressConfiguration;
import java.time.Clock;
import java.util.Arrays;
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
        if (args.length > 0 && DoraCommand.NAME.equals(args[0])) {
            System.exit(DoraCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err,
                    Clock.systemUTC()));
        }
        SpringApplication.run(RelayLocalApplication.class, args);
    }
}
