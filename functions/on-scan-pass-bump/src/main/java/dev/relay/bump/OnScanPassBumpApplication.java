package dev.relay.bump;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OnScanPassBumpApplication {

    public static void main(String[] args) {
        SpringApplication.run(OnScanPassBumpApplication.class, args);
    }
}
