package dev.relay.shared.testing;

import dev.relay.shared.events.EventPayloads;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The one test helper for CloudEvents over HTTP: build events, post them in binary mode, read answers. */
public final class CloudEventHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private CloudEventHttp() {
    }

    public static CloudEventBuilder event(String type, Object data) {
        return CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withType(type)
                .withSource(URI.create("/tests"))
                .withDataContentType("application/json")
                .withData(EventPayloads.toJson(data));
    }

    /** Posts {@code event} in binary mode. */
    public static Answer post(URI uri, CloudEvent event) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120));
        request.header("ce-specversion", event.getSpecVersion().toString());
        request.header("ce-id", event.getId());
        request.header("ce-type", event.getType());
        request.header("ce-source", event.getSource().toString());
        if (event.getSubject() != null) {
            request.header("ce-subject", event.getSubject());
        }
        for (String name : event.getExtensionNames()) {
            request.header("ce-" + name, String.valueOf(event.getExtension(name)));
        }
        request.header("content-type", Optional.ofNullable(event.getDataContentType()).orElse("application/json"));
        byte[] body = event.getData() == null ? new byte[0] : event.getData().toBytes();
        return send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /** Posts raw bytes with the given headers (for malformed and oversized requests). */
    /** Posts every event from {@code threads} threads at once; the answers in the order of {@code events}. */
    public static List<Answer> postConcurrently(URI uri, List<CloudEvent> events, int threads)
            throws InterruptedException, ExecutionException, TimeoutException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Answer>> futures = new ArrayList<>();
            for (CloudEvent event : events) {
                futures.add(pool.submit(() -> post(uri, event)));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<Answer> future : futures) {
                answers.add(future.get(5, TimeUnit.MINUTES));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    public static Answer postRaw(URI uri, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120));
        headers.forEach(request::header);
        return send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public static Answer get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private static Answer send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.headers().map().entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(e -> e.getKey().toLowerCase(),
                            e -> String.join(",", e.getValue()), (a, b) -> a)), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP answer: status, lower-cased headers, body. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {

        public String header(String name) {
            return headers.get(name.toLowerCase());
        }

        public String ceType() {
            return header("ce-type");
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public Map<String, Object> json() {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = EventPayloads.mapper().readValue(body, Map.class);
            return map;
        }
    }
}
