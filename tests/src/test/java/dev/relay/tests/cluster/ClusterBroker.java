package dev.relay.tests.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.relay.local.broker.BrokerProperties;
import dev.relay.local.broker.EmbeddedBroker;
import dev.relay.local.broker.EventLog;
import dev.relay.local.broker.HostedFunctions;
import dev.relay.local.broker.SubscriberResolver;
import dev.relay.local.broker.TriggerDefinition;
import dev.relay.local.broker.TriggerLoader;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Broker {@code relay}: relay-local's {@link EmbeddedBroker} routing by the repository's {@code triggers/*.yaml},
 * each Trigger's subscriber ref to a Knative Service resolved to the URL of the process started for it; its ingress
 * is {@code POST /} on loopback (what K_SINK and the ApiServerSource's sink point at).
 */
final class ClusterBroker implements AutoCloseable {

    private static final int MAX_EVENT_BYTES = 1024 * 1024;

    private final EmbeddedBroker broker;
    private final HttpServer server;
    private final ExecutorService requests = Executors.newFixedThreadPool(4);

    private ClusterBroker(EmbeddedBroker broker, HttpServer server) {
        this.broker = broker;
        this.server = server;
    }

    static ClusterBroker start(Path triggersDir, Map<String, URI> services) throws IOException {
        List<TriggerDefinition> triggers = new TriggerLoader().loadDirectory(triggersDir);
        SubscriberResolver resolver = new SubscriberResolver(HostedFunctions.none(), () -> -1, services);
        EmbeddedBroker broker = new EmbeddedBroker(triggers, resolver, JsonMapper.builder().build(),
                new BrokerProperties(null, 2000, 8, Duration.ofSeconds(120)), null);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ClusterBroker cluster = new ClusterBroker(broker, server);
        server.createContext("/", cluster::ingress);
        server.setExecutor(cluster.requests);
        server.start();
        return cluster;
    }

    /** The Broker's address, as Knative puts it into K_SINK. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/relay/relay");
    }

    List<EventLog.EventView> events() {
        return broker.recentEvents();
    }

    List<EventLog.EventView> events(String type) {
        return events().stream().filter(e -> type.equals(e.type())).toList();
    }

    List<EventLog.DeadLetterView> deadLetters() {
        return broker.deadLetters();
    }

    /** One line per event: type, id, subject and deliveries, for failure messages. */
    String describe() {
        List<String> lines = new ArrayList<>();
        for (EventLog.EventView event : events()) {
            lines.add(event.type() + " id=" + event.id() + " subject=" + event.subject() + " data=" + event.data()
                    + " deliveries=" + event.deliveries());
        }
        return String.join("\n", lines);
    }

    private void ingress(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.readNBytes(MAX_EVENT_BYTES + 1);
            if (bytes.length > MAX_EVENT_BYTES) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            CloudEvent event;
            try {
                event = CloudEventCodec.read(headers, bytes);
            } catch (EventRejectedException e) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            broker.publish(event);
            exchange.sendResponseHeaders(202, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        requests.shutdownNow();
        broker.close();
    }
}
