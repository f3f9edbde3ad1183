package dev.relay.local.broker;

import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CloudEvents HTTP protocol binding (binary and structured JSON mode), as far as the broker needs it: read an
 * event from request or response headers and body, and write one as binary-mode headers.
 */
public final class CloudEventHttp {

    public static final String STRUCTURED_JSON = "application/cloudevents+json";
    public static final String BATCH_JSON = "application/cloudevents-batch+json";
    private static final String HEADER_PREFIX = "ce-";
    private static final Set<String> CONTEXT_ATTRIBUTES = Set.of("specversion", "id", "source", "type", "subject",
            "time", "dataschema", "datacontenttype", "data", "data_base64");

    private final JsonMapper json;

    public CloudEventHttp(JsonMapper json) {
        this.json = json;
    }

    /** Whether the headers carry an event (binary mode {@code ce-specversion} or a structured content type). */
    public static boolean carriesEvent(Function<String, String> header) {
        String contentType = header.apply("content-type");
        return header.apply("ce-specversion") != null
                || contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(STRUCTURED_JSON);
    }

    /**
     * Reads an event in either mode.
     *
     * @param headers every header, names lower-case, first value only
     * @throws EventRejectedException (400/415) when the message is not a valid CloudEvent 1.0
     */
    public CloudEvent read(Map<String, String> headers, byte[] body) {
        String contentType = headers.get("content-type");
        String lower = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (lower.startsWith(BATCH_JSON)) {
            throw new EventRejectedException(415, "unsupported-event-format", "Batched events are not supported",
                    "Send one event per request, in binary or structured (" + STRUCTURED_JSON + ") mode.");
        }
        if (lower.startsWith(STRUCTURED_JSON)) {
            return readStructured(body);
        }
        if (headers.containsKey("ce-specversion")) {
            return readBinary(headers, body);
        }
        throw malformed("The request carries no CloudEvent: send ce-* headers (binary mode) or a "
                + STRUCTURED_JSON + " body (structured mode).");
    }

    private CloudEvent readBinary(Map<String, String> headers, byte[] body) {
        Map<String, String> attributes = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (name.startsWith(HEADER_PREFIX) && name.length() > HEADER_PREFIX.length()) {
                attributes.put(name.substring(HEADER_PREFIX.length()), percentDecode(value));
            }
        });
        attributes.remove("datacontenttype");
        String contentType = headers.get("content-type");
        return build(attributes, contentType, body == null || body.length == 0 ? null : body);
    }

    private CloudEvent readStructured(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw malformed("The structured-mode body is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw malformed("A structured-mode body must be one JSON object.");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals("data") || name.equals("data_base64") || name.equals("datacontenttype")) {
                continue;
            }
            if (value.isNull()) {
                continue;
            }
            if (!value.isValueNode()) {
                throw malformed("Attribute '" + name + "' must be a string, number or boolean.");
            }
            attributes.put(name, value.asString());
        }
        JsonNode contentTypeNode = root.get("datacontenttype");
        String contentType = contentTypeNode == null || contentTypeNode.isNull() ? null : contentTypeNode.asString();
        byte[] data = null;
        JsonNode base64 = root.get("data_base64");
        JsonNode dataNode = root.get("data");
        if (base64 != null && !base64.isNull()) {
            if (dataNode != null && !dataNode.isNull()) {
                throw malformed("A structured event must not carry both data and data_base64.");
            }
            try {
                data = Base64.getDecoder().decode(base64.asString());
            } catch (IllegalArgumentException e) {
                throw malformed("data_base64 is not valid base64.");
            }
        } else if (dataNode != null && !dataNode.isNull()) {
            if (contentType == null) {
                contentType = "application/json";
            }
            data = dataNode.isString() && !isJson(contentType)
                    ? dataNode.asString().getBytes(StandardCharsets.UTF_8)
                    : json.writeValueAsBytes(dataNode);
        }
        return build(attributes, contentType, data);
    }

    private static CloudEvent build(Map<String, String> attributes, String contentType, byte[] data) {
        String specVersion = attributes.remove("specversion");
        if (specVersion == null || specVersion.isEmpty()) {
            throw malformed("Attribute 'specversion' is required.");
        }
        if (!"1.0".equals(specVersion)) {
            throw malformed("Unsupported specversion '" + specVersion + "': the broker accepts CloudEvents 1.0.");
        }
        String id = required(attributes, "id");
        String source = required(attributes, "source");
        String type = required(attributes, "type");
        CloudEventBuilder builder = CloudEventBuilder.v1().withId(id).withType(type);
        try {
            builder.withSource(URI.create(source));
        } catch (IllegalArgumentException e) {
            throw malformed("Attribute 'source' must be a URI-reference, was '" + source + "'.");
        }
        String subject = attributes.remove("subject");
        if (subject != null) {
            builder.withSubject(subject);
        }
        String time = attributes.remove("time");
        if (time != null) {
            try {
                builder.withTime(OffsetDateTime.parse(time, DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            } catch (DateTimeParseException e) {
                throw malformed("Attribute 'time' must be an RFC 3339 timestamp, was '" + time + "'.");
            }
        }
        String dataSchema = attributes.remove("dataschema");
        if (dataSchema != null) {
            try {
                builder.withDataSchema(URI.create(dataSchema));
            } catch (IllegalArgumentException e) {
                throw malformed("Attribute 'dataschema' must be a URI, was '" + dataSchema + "'.");
            }
        }
        if (contentType != null) {
            builder.withDataContentType(contentType);
        }
        for (Map.Entry<String, String> extension : attributes.entrySet()) {
            String name = extension.getKey();
            if (!isValidAttributeName(name)) {
                throw malformed("Extension attribute name '" + name + "' must be lower-case letters and digits.");
            }
            builder.withExtension(name, extension.getValue());
        }
        if (data != null) {
            builder.withData(data);
        }
        try {
            return builder.build();
        } catch (RuntimeException e) {
            throw malformed("Invalid CloudEvent: " + e.getMessage());
        }
    }

    /** Binary-mode headers for an event ({@code ce-*} and {@code Content-Type}); extension values as strings. */
    public static Map<String, String> binaryHeaders(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce-specversion", event.getSpecVersion().toString());
        headers.put("ce-id", percentEncode(event.getId()));
        headers.put("ce-source", percentEncode(event.getSource().toString()));
        headers.put("ce-type", percentEncode(event.getType()));
        if (event.getSubject() != null) {
            headers.put("ce-subject", percentEncode(event.getSubject()));
        }
        if (event.getTime() != null) {
            headers.put("ce-time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.getTime()));
        }
        if (event.getDataSchema() != null) {
            headers.put("ce-dataschema", percentEncode(event.getDataSchema().toString()));
        }
        for (String name : event.getExtensionNames()) {
            Object value = event.getExtension(name);
            if (value != null) {
                headers.put(HEADER_PREFIX + name, percentEncode(value.toString()));
            }
        }
        if (event.getDataContentType() != null) {
            headers.put("content-type", event.getDataContentType());
        }
        return headers;
    }

    /** The event's data for display: parsed JSON when it is JSON, else UTF-8 text, else null. */
    public Object dataForDisplay(CloudEvent event) {
        if (event.getData() == null) {
            return null;
        }
        byte[] bytes = event.getData().toBytes();
        if (isJson(event.getDataContentType())) {
            try {
                return json.readValue(bytes, Object.class);
            } catch (JacksonException e) {
                // fall through to text
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return true;
        }
        String media = contentType.toLowerCase(Locale.ROOT);
        int semicolon = media.indexOf(';');
        media = (semicolon < 0 ? media : media.substring(0, semicolon)).trim();
        return media.equals("application/json") || media.equals("text/json") || media.endsWith("+json");
    }

    private static String required(Map<String, String> attributes, String name) {
        String value = attributes.remove(name);
        if (value == null || value.isEmpty()) {
            throw malformed("Attribute '" + name + "' is required and must not be empty.");
        }
        return value;
    }

    private static boolean isValidAttributeName(String name) {
        if (name.isEmpty() || CONTEXT_ATTRIBUTES.contains(name)) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    static EventRejectedException malformed(String detail) {
        return EventRejectedException.badRequest("malformed-cloudevent", "Malformed CloudEvent", detail);
    }

    /** Percent-encodes what the HTTP binding requires: space, '"', '%' and everything outside printable ASCII. */
    static String percentEncode(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = null;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b > 0x20 && b < 0x7f && b != '"' && b != '%';
            if (plain && out == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(value.length() + 16);
                out.append(new String(bytes, 0, i, StandardCharsets.US_ASCII));
            }
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out == null ? value : out.toString();
    }

    static String percentDecode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()
                    && Character.digit(value.charAt(i + 1), 16) >= 0 && Character.digit(value.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(value.charAt(i + 1), 16) << 4 | Character.digit(value.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** First value of each header, names lower-cased. */
    public static Map<String, String> firstValues(Map<String, List<String>> headers) {
        Map<String, String> result = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (name != null && values != null && !values.isEmpty()) {
                result.putIfAbsent(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        return result;
    }
}
