package dev.relay.shared.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Builds the CloudEvent a function answers with, carrying the chain extensions of the event it answers. */
public final class RelayAnswers {

    private RelayAnswers() {
    }

    public static CloudEvent answer(CloudEvent cause, String type, String source, Object data) {
        return answer(cause, type, source, data, null, null);
    }

    /** Like {@link #answer(CloudEvent, String, String, Object)}, setting {@code relayapp} and {@code relayenv}. */
    public static CloudEvent answer(CloudEvent cause, String type, String source, Object data, String app,
            String environment) {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withType(type)
                .withSource(URI.create(source))
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(EventPayloads.toJson(data));
        for (String name : RelayExtensions.CHAIN) {
            RelayExtensions.read(cause, name).ifPresent(value -> builder.withExtension(name, value));
        }
        builder.withExtension(RelayExtensions.TRACE, RelayExtensions.traceOf(cause));
        if (app != null) {
            builder.withExtension(RelayExtensions.APP, app);
        }
        if (environment != null) {
            builder.withExtension(RelayExtensions.ENVIRONMENT, environment);
        }
        return builder.build();
    }

    /**
     * An answer to a completion ({@code dev.knative.apiserver.resource.*}) whose chain context was recorded on the
     * finished object, not on the event: {@code id} and {@code time} derive from that object, so a redelivered
     * completion yields the same answer.
     *
     * @param time when the object finished, or null when it does not say
     */
    public static CloudEvent continuing(String id, OffsetDateTime time, String type, String source, Object data,
            String trace, String app) {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(id)
                .withType(type)
                .withSource(URI.create(source))
                .withDataContentType("application/json")
                .withData(EventPayloads.toJson(data))
                .withExtension(RelayExtensions.TRACE, trace == null || trace.isBlank() ? id : trace);
        if (time != null) {
            builder.withTime(time);
        }
        if (app != null) {
            builder.withExtension(RelayExtensions.APP, app);
        }
        return builder.build();
    }

    /** A first event of a chain (ingress, people): {@code relaytrace} is its own id. */
    public static CloudEvent start(String id, String type, String source, Object data, String app) {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(id)
                .withType(type)
                .withSource(URI.create(source))
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(EventPayloads.toJson(data))
                .withExtension(RelayExtensions.TRACE, id);
        if (app != null) {
            builder.withExtension(RelayExtensions.APP, app);
        }
        return builder.build();
    }
}
