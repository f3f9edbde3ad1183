package dev.relay.shared.http;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.http.HttpMessageFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** CloudEvents over HTTP: reads binary or structured mode, writes binary mode. */
public final class CloudEventCodec {

    private CloudEventCodec() {
    }

    /**
     * Parses an HTTP request as a CloudEvent.
     *
     * @throws EventRejectedException (400) when it is not a valid CloudEvent 1.0
     */
    public static CloudEvent read(Map<String, String> headers, byte[] body) {
        try {
            MessageReader reader = HttpMessageFactory.createReader(headers, body);
            CloudEvent event = reader.toEvent();
            if (event.getId() == null || event.getId().isBlank()) {
                throw new IllegalArgumentException("Attribute 'id' cannot be empty");
            }
            if (event.getType() == null || event.getType().isBlank()) {
                throw new IllegalArgumentException("Attribute 'type' cannot be empty");
            }
            return event;
        } catch (EventRejectedException e) {
            throw e;
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw EventRejectedException.badRequest("malformed-cloudevent", "Not a valid CloudEvent",
                    "The request is not a CloudEvent 1.0 in binary or structured mode: " + reason);
        }
    }

    /** Binary-mode headers ({@code ce-*}, {@code content-type}) and body of an event. */
    public record HttpEvent(Map<String, String> headers, byte[] body) {
    }

    public static HttpEvent write(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        byte[][] body = {new byte[0]};
        Consumer<byte[]> sendBody = bytes -> body[0] = bytes == null ? new byte[0] : bytes;
        HttpMessageFactory.createWriter(headers::put, sendBody).writeBinary(event);
        return new HttpEvent(headers, body[0]);
    }
}
