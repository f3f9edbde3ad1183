package dev.relay.local;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Every Relay function in one process, chained by an embedded broker that reads {@code triggers/*.yaml}. */
@SpringBootApplication(scanBasePackages = {"dev.relay.local", "dev.relay.bump"})
public class RelayLocalApplication {

    public static void main(String[] args) {
        SpringApplication.run(RelayLocalApplication.class, args);
    }
}
