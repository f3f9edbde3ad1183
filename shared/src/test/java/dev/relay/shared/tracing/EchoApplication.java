package dev.relay.shared.tracing;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.RelayAnswers;
import io.cloudevents.CloudEvent;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A Relay function process: {@code echo} answers every event; {@code resume} answers in the trace its data's
 * {@code recorded} traceparent names, as a function does that reads a trace back from Git.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class EchoApplication {

    @Bean
    Function<CloudEvent, CloudEvent> echo() {
        return event -> RelayAnswers.answer(event, "dev.relay.test.echoed", "/relay/echo", Map.of("ok", true));
    }

    @Bean
    Function<CloudEvent, CloudEvent> resume(EventTracing tracing) {
        return event -> {
            String recorded = (String) EventPayloads.read(event, Map.class).get("recorded");
            return tracing.continueRecorded("resume", recorded, event,
                    () -> RelayAnswers.answer(event, "dev.relay.test.resumed", "/relay/resume", Map.of("ok", true)));
        };
    }
}
