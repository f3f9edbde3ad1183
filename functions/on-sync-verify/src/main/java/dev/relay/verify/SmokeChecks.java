package dev.relay.verify;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTTP smoke checks: one request each, redirects not followed, connect and answer bounded by the check's timeout,
 * at most {@link #MAX_BODY} bytes of the body read. Any failure (status, body, timeout, refused) is a failed check
 * {@code smoke:<url>} whose detail says what happened.
 */
public final class SmokeChecks {

    public static final String PREFIX = "smoke:";
    static final int MAX_BODY = 64 * 1024;

    private final HttpClient client;

    public SmokeChecks() {
        this(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(java.time.Duration.ofSeconds(5)).build());
    }

    SmokeChecks(HttpClient client) {
        this.client = client;
    }

    public List<Payloads.Check> run(List<RelayProperties.Smoke> smokes) {
        return smokes.stream().map(this::run).toList();
    }

    Payloads.Check run(RelayProperties.Smoke smoke) {
        String name = PREFIX + smoke.url();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(smoke.url())).timeout(smoke.timeout())
                    .method(smoke.method(), HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", "relay-on-sync-verify").build();
        } catch (IllegalArgumentException e) {
            return new Payloads.Check(name, false, "invalid URL: " + e.getMessage());
        }
        long started = System.nanoTime();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
            }
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (response.statusCode() != smoke.expectedStatus()) {
                return new Payloads.Check(name, false, smoke.method() + " answered " + response.statusCode()
                        + ", expected " + smoke.expectedStatus() + " (" + ms + " ms)");
            }
            if (smoke.bodyContains() != null && !smoke.bodyContains().isEmpty() && !body.contains(smoke.bodyContains())) {
                return new Payloads.Check(name, false, smoke.method() + " answered " + response.statusCode()
                        + " but the body does not contain \"" + smoke.bodyContains() + "\" (" + ms + " ms)");
            }
            return new Payloads.Check(name, true, smoke.method() + " answered " + response.statusCode() + " in " + ms
                    + " ms");
        } catch (HttpTimeoutException e) {
            return new Payloads.Check(name, false, smoke.method() + " got no answer within " + smoke.timeout());
        } catch (IOException e) {
            return new Payloads.Check(name, false, smoke.method() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Payloads.Check(name, false, smoke.method() + " was interrupted");
        }
    }
}
