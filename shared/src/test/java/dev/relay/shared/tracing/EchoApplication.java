package dev.relay.shared.tracing;

import dev.relay.shared.events.RelayAnswers;
import io.cloudevents.CloudEvent;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** A Relay function process with one function, {@code echo}, that answers every event. */
@SpringBootConfiguration
@EnableAutoConfiguration
class EchoApplication {

    @Bean
    Function<CloudEvent, CloudEvent> echo() {
        return event -> RelayAnswers.answer(event, "dev.relay.test.echoed", "/relay/echo", Map.of("ok", true));
    }
}
