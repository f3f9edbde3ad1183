package dev.relay.build;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OnPushBuildApplication {

    public static void main(String[] args) {
        SpringApplication.run(OnPushBuildApplication.class, args);
    }
}
