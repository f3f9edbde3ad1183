package dev.relay.tests.cluster;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.testing.CloudEventHttp;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Broker {@code relay}: the relay-local jar as a broker only (no sandbox), its embedded broker routing by the
 * repository's {@code triggers/*.yaml}, each Trigger's subscriber ref to a Knative Service delivered to the process
 * started for it ({@code relay.local.broker.services.<name>=<url>}). It is used through its HTTP face only: ingress
 * {@code POST /broker} (what K_SINK and the ApiServerSource's sink resolve to), {@code GET /broker/events} and
 * {@code GET /broker/dead-letters}.
 */
final class ClusterBroker implements AutoCloseable {

    /** One event the broker saw, as {@code GET /broker/events} shows it. */
    record Event(String id, String type, String subject, Map<String, String> extensions, Map<String, Object> data,
            List<Map<String, Object>> deliveries) {
    }

    private final FunctionProcess process;

    private ClusterBroker(FunctionProcess process) {
        this.process = process;
    }

    /** Starts the process; {@link #process()}'s {@code awaitReady} waits for it. */
    static ClusterBroker start(Path repoRoot, Map<String, URI> services, Path workDir, Path logDir)
            throws IOException {
        Path jar = repoRoot.resolve("functions/relay-local/target/relay-local-exec.jar");
        List<String> args = new ArrayList<>(List.of("--relay.local.sandbox.enabled=false",
                "--relay.local.broker.triggers-dir=" + repoRoot.resolve("triggers"),
                "--relay.local.broker.request-timeout=120s"));
        services.forEach((name, url) -> args.add("--relay.local.broker.services." + name + "=" + url));
        ServicePod pod = new ServicePod("relay-broker", workDir, Map.of(), args, Map.of());
        return new ClusterBroker(FunctionProcess.start(pod, jar, Map.of(), logDir));
    }

    /** The Broker's ingress, as Knative puts it into K_SINK. */
    URI url() {
        return process.url().resolve("/broker");
    }

    FunctionProcess process() {
        return process;
    }

    @SuppressWarnings("unchecked")
    List<Event> events() {
        CloudEventHttp.Answer answer = CloudEventHttp.get(process.url().resolve("/broker/events"));
        if (answer.status() != 200) {
            throw new IllegalStateException("GET /broker/events answered " + answer.status() + ": " + answer.text());
        }
        List<Map<String, Object>> views = EventPayloads.mapper().readValue(answer.body(), List.class);
        return views.stream().map(v -> new Event(String.valueOf(v.get("id")), String.valueOf(v.get("type")),
                (String) v.get("subject"),
                v.get("extensions") instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of(),
                v.get("data") instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of(),
                v.get("deliveries") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of())).toList();
    }

    List<Event> events(String type) {
        return events().stream().filter(e -> type.equals(e.type())).toList();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> deadLetters() {
        CloudEventHttp.Answer answer = CloudEventHttp.get(process.url().resolve("/broker/dead-letters"));
        if (answer.status() != 200) {
            throw new IllegalStateException("GET /broker/dead-letters answered " + answer.status());
        }
        return EventPayloads.mapper().readValue(answer.body(), List.class);
    }

    /** One line per event: type, id, subject, data and deliveries, for failure messages. */
    String describe() {
        List<String> lines = new ArrayList<>();
        for (Event event : events()) {
            lines.add(event.type() + " id=" + event.id() + " subject=" + event.subject() + " data=" + event.data()
                    + " deliveries=" + event.deliveries());
        }
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        process.close();
    }
}
