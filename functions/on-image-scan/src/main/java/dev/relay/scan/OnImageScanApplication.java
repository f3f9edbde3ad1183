package dev.relay.scan;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OnImageScanApplication {

    public static void main(String[] args) {
        SpringApplication.run(OnImageScanApplication.class, args);
    }
}
