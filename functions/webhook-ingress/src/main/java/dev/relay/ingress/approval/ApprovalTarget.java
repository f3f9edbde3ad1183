package dev.relay.ingress.approval;

import dev.relay.ingress.IngressProperties;
import dev.relay.shared.http.BrokerPoster;
import dev.relay.shared.http.CloudEventCodec;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * Delivers a signed approval straight to on-scan-pass-bump ({@value IngressProperties#APPROVALS_TARGET_PROPERTY},
 * read at each use like the broker address) and hands back its HTTP answer, so the person approving learns at once
 * whether anything was pending. Only connection failures and timeouts become exceptions here.
 */
public final class ApprovalTarget {

    private static final Logger log = LoggerFactory.getLogger(ApprovalTarget.class);

    private final Environment environment;
    private final Duration timeout;
    private final HttpClient client;
    private final EventTracing tracing;

    public ApprovalTarget(Environment environment, IngressProperties properties, EventTracing tracing) {
        this.environment = environment;
        this.tracing = tracing;
        this.timeout = Duration.ofSeconds(Math.max(30, properties.sinkTimeout().toSeconds()));
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** on-scan-pass-bump's answer: status, headers (names case-insensitive) and body. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    public Answer deliver(CloudEvent event) {
        URI target = target();
        CloudEventCodec.HttpEvent http = CloudEventCodec.write(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout);
        http.headers().forEach(request::header);
        tracing.currentContext().forEach(request::header);
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(http.body())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw EventRetryableException.unavailable("approval-target-timeout", "Promotion service did not answer",
                    "on-scan-pass-bump did not answer within " + timeout + "; retry the same request (it is "
                            + "idempotent).", e);
        } catch (IOException e) {
            log.warn("approval target {} unreachable: {}", target, e.toString());
            throw EventRetryableException.unavailable("approval-target-unreachable", "Promotion service unreachable",
                    "on-scan-pass-bump could not be reached; retry the same request.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EventRetryableException.unavailable("approval-target-unreachable", "Interrupted",
                    "The approval was interrupted; retry the same request.", e);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        response.headers().map().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name, values.get(0));
            }
        });
        return new Answer(response.statusCode(), headers, response.body());
    }

    private URI target() {
        String configured = environment.getProperty(IngressProperties.APPROVALS_TARGET_PROPERTY);
        if (configured == null || configured.isBlank()) {
            throw EventRetryableException.unavailable("no-approvals-target", "Approvals are not configured",
                    "webhook-ingress does not know where to deliver approvals: set "
                            + IngressProperties.APPROVALS_TARGET_PROPERTY + " to on-scan-pass-bump's address.", null);
        }
        return BrokerPoster.httpUrl(configured).orElseThrow(() -> EventRetryableException.unavailable(
                "invalid-approvals-target", "Approvals target invalid",
                IngressProperties.APPROVALS_TARGET_PROPERTY + " is not an absolute http(s) URL.", null));
    }
}
