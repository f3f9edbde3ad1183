package dev.relay.ingress;

import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.http.CloudEventCodec;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A broker on loopback that records the CloudEvents posted to it and answers with the status a test chooses. */
final class FakeBroker implements AutoCloseable {

    private final HttpServer server;
    private final List<CloudEvent> received = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> receivedHeaders = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(202);

    FakeBroker() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
                byte[] body = exchange.getRequestBody().readAllBytes();
                int answer = status.get();
                if (answer >= 200 && answer < 300) {
                    received.add(CloudEventCodec.read(headers, body));
                    receivedHeaders.add(headers);
                }
                exchange.sendResponseHeaders(answer, -1);
            }
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/broker");
    }

    List<CloudEvent> received() {
        return List.copyOf(received);
    }

    /** The HTTP headers of each request in {@link #received()}, names in any case. */
    List<Map<String, String>> receivedHeaders() {
        return List.copyOf(receivedHeaders);
    }

    void answer(int httpStatus) {
        status.set(httpStatus);
    }

    void reset() {
        received.clear();
        receivedHeaders.clear();
        status.set(202);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** A loopback URL where nothing listens. */
    static URI closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/broker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
