package dev.relay.images;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A Zipkin span collector on loopback that keeps every JSON v2 batch posted to it. */
final class SpanCollector {

    private final HttpServer server;
    private final List<String> batches = new CopyOnWriteArrayList<>();

    private SpanCollector(HttpServer server) {
        this.server = server;
    }

    static SpanCollector start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        SpanCollector collector = new SpanCollector(server);
        server.createContext("/api/v2/spans", exchange -> {
            try (exchange) {
                collector.batches.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(202, -1);
            }
        });
        server.start();
        return collector;
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/spans";
    }

    /** Every batch received, once at least one arrived or {@code timeout} passed. */
    String awaitSpans(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (batches.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return String.join("\n", batches);
    }

    void stop() {
        server.stop(0);
    }
}
