package dev.relay.rollback;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OnMetricRollbackApplication {

    public static void main(String[] args) {
        SpringApplication.run(OnMetricRollbackApplication.class, args);
    }
}
