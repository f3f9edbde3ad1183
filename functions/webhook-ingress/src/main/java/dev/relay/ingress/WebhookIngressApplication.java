package dev.relay.ingress;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** The webhook-ingress process. No component scan: {@link IngressConfiguration} declares every bean (relay-local imports it too). */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(IngressConfiguration.class)
public class WebhookIngressApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebhookIngressApplication.class, args);
    }
}
