package dev.relay.verify;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OnSyncVerifyApplication {

    public static void main(String[] args) {
        SpringApplication.run(OnSyncVerifyApplication.class, args);
    }
}
