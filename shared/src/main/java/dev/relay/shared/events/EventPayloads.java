package dev.relay.shared.events;

import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.annotation.JsonInclude;

/** JSON (de)serialisation of event data records. */
public final class EventPayloads {

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private EventPayloads() {
    }

    public static byte[] toJson(Object data) {
        return JSON.writeValueAsBytes(data);
    }

    /** Reads the event's data as {@code type}; a missing or malformed body is the sender's fault (400). */
    public static <T> T read(CloudEvent event, Class<T> type) {
        if (event.getData() == null) {
            throw EventRejectedException.badRequest("missing-data", "The event has no data",
                    "A " + event.getType() + " event needs a JSON object as data.");
        }
        String contentType = event.getDataContentType();
        if (contentType != null && !contentType.startsWith("application/json") && !contentType.contains("+json")) {
            throw new EventRejectedException(415, "unsupported-data-content-type", "Unsupported datacontenttype",
                    "Data must be application/json, got " + contentType + ".");
        }
        try {
            T value = JSON.readValue(event.getData().toBytes(), type);
            if (value == null) {
                throw EventRejectedException.badRequest("missing-data", "The event has no data",
                        "A " + event.getType() + " event needs a JSON object as data.");
            }
            return value;
        } catch (JacksonException e) {
            throw EventRejectedException.badRequest("malformed-data", "The event data is not valid JSON for "
                    + event.getType(), e.getOriginalMessage());
        }
    }

    public static JsonMapper mapper() {
        return JSON;
    }
}
