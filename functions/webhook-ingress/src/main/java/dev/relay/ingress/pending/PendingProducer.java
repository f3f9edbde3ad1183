package dev.relay.ingress.pending;

import dev.relay.ingress.AdapterResult;
import dev.relay.ingress.UnsupportedProducerException;
import dev.relay.ingress.WebhookAdapter;
import dev.relay.ingress.WebhookRequest;
import dev.relay.ingress.WebhookSecret;
import java.util.function.Predicate;
import org.springframework.core.Ordered;

/**
 * A producer Relay recognises but does not convert yet: answers 501 with the issue that will add it. Ordered last,
 * so a real adapter for the same producer (any order) takes over without removing this one.
 */
public final class PendingProducer implements WebhookAdapter, Ordered {

    private final String producer;
    private final String issue;
    private final Predicate<WebhookRequest> recognises;

    public PendingProducer(String producer, String issue, Predicate<WebhookRequest> recognises) {
        this.producer = producer;
        this.issue = issue;
        this.recognises = recognises;
    }

    @Override
    public String producer() {
        return producer;
    }

    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(producer::equals).orElseGet(() -> recognises.test(request));
    }

    /** Nothing is forwarded, so there is nothing to protect yet; the real adapter defines how it authenticates. */
    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
    }

    @Override
    public AdapterResult adapt(WebhookRequest request) {
        throw new UnsupportedProducerException(producer, issue);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public String toString() {
        return "PendingProducer[" + producer + "]";
    }
}
