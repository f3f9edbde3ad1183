package dev.relay.shared.http;

import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.http.HttpMessageFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CloudEvents HTTP protocol binding, on the CloudEvents SDK ({@link HttpMessageFactory}; structured mode through
 * {@code cloudevents-json-jackson}): reads binary or structured mode, writes binary mode. Adds what the SDK leaves
 * out: percent-encoding of {@code ce-*} header values, CloudEvents 1.0 only, non-empty required attributes, no
 * control characters and a bounded {@code id}, a 415 for batches, and problem details that name the offending
 * attribute.
 */
public final class CloudEventCodec {

    public static final String STRUCTURED_JSON = "application/cloudevents+json";
    public static final String BATCH_JSON = "application/cloudevents-batch+json";

    /** The longest {@code id} accepted (Knative's and most brokers' ids are UUIDs or short hashes). */
    public static final int MAX_ID_LENGTH = 256;

    private static final String HEADER_PREFIX = "ce-";
    private static final String SPEC_VERSION_HEADER = "ce-specversion";
    /** "Attribute 'id' cannot be null" (binary mode), "Missing mandatory id attribute" (structured mode). */
    private static final Pattern MISSING_ATTRIBUTE =
            Pattern.compile("Attribute '(\\w+)' cannot be null|Missing mandatory (\\w+) attribute");
    /** "com.fasterxml...MismatchedInputException: " in front of a wrapped cause's message. */
    private static final Pattern WRAPPED_EXCEPTION = Pattern.compile("^(?:[\\w$]+\\.)+[\\w$]+: ");
    private static final Pattern INVALID_SPEC_VERSION = Pattern.compile("Invalid specversion: ?(\\S*)");

    private CloudEventCodec() {
    }

    /** Whether the headers carry an event: binary mode ({@code ce-specversion}) or a structured content type. */
    public static boolean carriesEvent(Map<String, String> headers) {
        Map<String, String> h = caseInsensitive(headers);
        return h.containsKey(SPEC_VERSION_HEADER) || mediaType(h).equals(STRUCTURED_JSON);
    }

    /**
     * Parses an HTTP request or response as a CloudEvent 1.0.
     *
     * @param headers every header, first value only (names in any case)
     * @throws EventRejectedException 415 for a batch, 400 when it is not a valid CloudEvent 1.0
     */
    public static CloudEvent read(Map<String, String> headers, byte[] body) {
        Map<String, String> h = caseInsensitive(headers);
        if (mediaType(h).equals(BATCH_JSON)) {
            throw new EventRejectedException(415, "unsupported-event-format", "Batched events are not supported",
                    "Send one event per request, in binary or structured (" + STRUCTURED_JSON + ") mode.");
        }
        if (!carriesEvent(h)) {
            throw malformed("The request carries no CloudEvent: send ce-* headers (binary mode) or a "
                    + STRUCTURED_JSON + " body (structured mode).");
        }
        String binarySpecVersion = h.get(SPEC_VERSION_HEADER);
        if (binarySpecVersion != null && !mediaType(h).equals(STRUCTURED_JSON)) {
            requireVersion1(binarySpecVersion);
        }
        CloudEvent event;
        try {
            event = HttpMessageFactory.createReader(percentDecoded(h), body).toEvent();
        } catch (RuntimeException e) {
            throw malformed(reason(e));
        }
        requireVersion1(event.getSpecVersion().toString());
        requireNotEmpty("id", event.getId());
        requireNotEmpty("source", event.getSource().toString());
        requireNotEmpty("type", event.getType());
        if (event.getExtensionNames().contains("data")) {
            throw malformed("Extension attribute name 'data' is reserved.");
        }
        requireHarmless(event);
        return event;
    }

    /**
     * Refuses attributes that could break what they are written into (log lines, commit trailers, headers): an
     * {@code id} longer than {@value #MAX_ID_LENGTH} characters, or a control character (CR, LF, NUL, ...) in the
     * id, source, type, subject or any string extension.
     */
    private static void requireHarmless(CloudEvent event) {
        if (event.getId().length() > MAX_ID_LENGTH) {
            throw malformed("Attribute 'id' is " + event.getId().length() + " characters long; at most "
                    + MAX_ID_LENGTH + " are accepted.");
        }
        requireNoControl("id", event.getId());
        requireNoControl("source", event.getSource().toString());
        requireNoControl("type", event.getType());
        requireNoControl("subject", event.getSubject());
        for (String name : event.getExtensionNames()) {
            if (event.getExtension(name) instanceof String value) {
                requireNoControl(name, value);
            }
        }
    }

    private static void requireNoControl(String attribute, String value) {
        if (value != null && value.chars().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029)) {
            throw malformed("Attribute '" + attribute + "' contains a control character (such as a line break).");
        }
    }

    /** Binary-mode headers ({@code ce-*} values percent-encoded, {@code Content-Type}) and body of an event. */
    public record HttpEvent(Map<String, String> headers, byte[] body) {
    }

    public static HttpEvent write(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        byte[][] body = {new byte[0]};
        BiConsumer<String, String> putHeader = (name, value) -> headers.put(name,
                name.regionMatches(true, 0, HEADER_PREFIX, 0, HEADER_PREFIX.length()) ? percentEncode(value) : value);
        Consumer<byte[]> sendBody = bytes -> body[0] = bytes == null ? new byte[0] : bytes;
        HttpMessageFactory.createWriter(putHeader, sendBody).writeBinary(event);
        return new HttpEvent(headers, body[0]);
    }

    private static Map<String, String> caseInsensitive(Map<String, String> headers) {
        Map<String, String> result = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, value) -> {
            if (name != null && value != null) {
                result.putIfAbsent(name, value);
            }
        });
        return result;
    }

    /** The content type without parameters, lower-case; "" when absent. */
    private static String mediaType(Map<String, String> headers) {
        String contentType = headers.getOrDefault("content-type", "");
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> percentDecoded(Map<String, String> headers) {
        Map<String, String> result = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, value) -> result.put(name,
                name.regionMatches(true, 0, HEADER_PREFIX, 0, HEADER_PREFIX.length()) ? percentDecode(value) : value));
        return result;
    }

    private static void requireVersion1(String specVersion) {
        if (!SpecVersion.V1.toString().equals(specVersion)) {
            throw malformed("Unsupported specversion '" + specVersion + "': only CloudEvents 1.0 is accepted.");
        }
    }

    private static void requireNotEmpty(String attribute, String value) {
        if (value == null || value.isEmpty()) {
            throw missing(attribute);
        }
    }

    /** What the SDK said, with missing attributes and versions restated, and without Jackson's source location. */
    private static String reason(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        message = WRAPPED_EXCEPTION.matcher(newline < 0 ? message : message.substring(0, newline)).replaceFirst("")
                .trim();
        Matcher missing = MISSING_ATTRIBUTE.matcher(message);
        if (missing.find()) {
            String attribute = missing.group(1) != null ? missing.group(1) : missing.group(2);
            return missing(attribute).detail();
        }
        Matcher version = INVALID_SPEC_VERSION.matcher(message);
        if (version.find()) {
            return "Unsupported specversion '" + version.group(1) + "': only CloudEvents 1.0 is accepted.";
        }
        return "Not a CloudEvent 1.0 in binary or structured mode: " + message;
    }

    private static EventRejectedException missing(String attribute) {
        return malformed("Attribute '" + attribute + "' is required and must not be empty.");
    }

    private static EventRejectedException malformed(String detail) {
        return EventRejectedException.badRequest("malformed-cloudevent", "Malformed CloudEvent", detail);
    }

    /**
     * Percent-encodes a {@code ce-*} header value as the HTTP binding requires: space, {@code "}, {@code %} and
     * everything outside printable US-ASCII, as UTF-8 octets.
     */
    static String percentEncode(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte octet : value.getBytes(StandardCharsets.UTF_8)) {
            int b = octet & 0xff;
            if (b > 0x20 && b < 0x7f && b != '"' && b != '%') {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Decodes {@code %XX} sequences as UTF-8; a {@code %} not followed by two hex digits is kept as is. */
    static String percentDecode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        int i = 0;
        while (i < value.length()) {
            boolean escape = value.charAt(i) == '%' && i + 2 < value.length()
                    && Character.digit(value.charAt(i + 1), 16) >= 0 && Character.digit(value.charAt(i + 2), 16) >= 0;
            if (escape) {
                out.write(Character.digit(value.charAt(i + 1), 16) << 4 | Character.digit(value.charAt(i + 2), 16));
                i += 3;
            } else {
                int end = i + Character.charCount(value.codePointAt(i));
                out.writeBytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
