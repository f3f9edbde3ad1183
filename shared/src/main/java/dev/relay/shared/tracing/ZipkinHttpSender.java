package dev.relay.shared.tracing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import zipkin2.reporter.BaseHttpSender;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.HttpEndpointSuppliers;

/** Posts encoded span batches (JSON v2) to a Zipkin-compatible endpoint with the JDK's HTTP client. */
final class ZipkinHttpSender extends BaseHttpSender<URI, byte[]> {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    ZipkinHttpSender(String endpoint) {
        super(Encoding.JSON, HttpEndpointSuppliers.constantFactory(), endpoint);
    }

    @Override
    protected URI newEndpoint(String endpoint) {
        return URI.create(endpoint);
    }

    @Override
    protected byte[] newBody(List<byte[]> encodedSpans) {
        return encoding().encode(encodedSpans);
    }

    @Override
    protected void postSpans(URI endpoint, byte[] body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("span collector " + endpoint.getHost() + " answered " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while posting spans", e);
        }
    }
}
