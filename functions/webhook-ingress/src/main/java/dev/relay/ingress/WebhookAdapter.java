package dev.relay.ingress;

/**
 * Turns one producer's raw webhooks into Relay CloudEvents. Adapters are Spring beans in an ordered list; on plain
 * {@code /webhooks} the first with a secret that {@linkplain #recognises recognises} a request handles it, so
 * supporting a new producer is one new class.
 *
 * <p>Order of the calls for one request: {@link #recognises}, then {@link #authenticate} (skipped only for a producer
 * listed in {@code relay.ingress.allow-unauthenticated} without a secret), then {@link #adapt}.
 */
public interface WebhookAdapter {

    /** The producer's name: the {@code /webhooks/<producer>} hint, the key under {@code relay.ingress.providers}. */
    String producer();

    /** Whether this request comes from this producer (headers first; the hint decides when present). */
    boolean recognises(WebhookRequest request);

    /**
     * Proves the request was sent by the producer that knows {@code secret}.
     *
     * @throws dev.relay.shared.http.EventRejectedException 401 when it does not
     */
    void authenticate(WebhookRequest request, WebhookSecret secret);

    /**
     * What the webhook means for Relay.
     *
     * @throws dev.relay.shared.http.EventRejectedException 400/422 for a payload that cannot be converted
     */
    AdapterResult adapt(WebhookRequest request);

    /** The producer's own name for the event (e.g. {@code push}), for logs; null when unknown. */
    default String eventName(WebhookRequest request) {
        return null;
    }

    /** The producer's delivery id, for logs; null when it sends none. */
    default String deliveryId(WebhookRequest request) {
        return null;
    }
}
