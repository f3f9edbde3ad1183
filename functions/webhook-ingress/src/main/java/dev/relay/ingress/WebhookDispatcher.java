package dev.relay.ingress;

import dev.relay.ingress.sink.EventSink;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.tracing.EventTracing;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One webhook, start to end: choose the adapter (the path's hint, else the first that recognises the request),
 * authenticate it when its producer has a secret, convert it, post what it yields to the broker, each event carrying
 * the current span as its {@code traceparent} (so a producer's HTTP {@code traceparent} header starts the chain's
 * trace). No Spring, no HTTP.
 */
public final class WebhookDispatcher {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final Pattern PRODUCER = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final List<WebhookAdapter> adapters;
    private final WebhookSecrets secrets;
    private final EventSink sink;
    private final EventTracing tracing;

    /**
     * @param adapters in order of precedence
     * @throws IllegalStateException when {@code relay.ingress.providers} names a producer no adapter handles (a typo
     *                               would otherwise silently leave that producer unauthenticated)
     */
    public WebhookDispatcher(List<WebhookAdapter> adapters, IngressProperties properties, EventSink sink,
            EventTracing tracing) {
        this.adapters = List.copyOf(adapters);
        this.secrets = new WebhookSecrets(properties);
        this.sink = sink;
        this.tracing = tracing;
        Set<String> unknown = new TreeSet<>(properties.providers().keySet());
        unknown.removeAll(producers());
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("relay.ingress.providers names unknown producers " + unknown
                    + "; known: " + producers());
        }
        Set<String> unsigned = new TreeSet<>(producers());
        unsigned.removeIf(producer -> properties.provider(producer).isPresent());
        log.info("webhook producers {}; accepted without authentication (no secret configured): {}", producers(),
                unsigned);
    }

    public Set<String> producers() {
        return adapters.stream().map(WebhookAdapter::producer).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Handles {@code request}, noting in {@code record} what it learns as it goes (for the log line and metrics).
     * Once events exist, the MDC carries {@code relaytrace} (the caller clears it).
     *
     * @return what was forwarded or why nothing was
     * @throws EventRejectedException        4xx: unknown producer, not authenticated, invalid payload
     * @throws dev.relay.shared.http.EventRetryableException 5xx: the broker did not take the events
     */
    public AdapterResult dispatch(WebhookRequest request, DeliveryRecord record) {
        WebhookAdapter adapter = select(request);
        record.producer(adapter.producer());
        record.event(adapter.eventName(request));
        record.delivery(adapter.deliveryId(request));
        secrets.forProducer(adapter.producer()).ifPresent(secret -> {
            adapter.authenticate(request, secret);
            record.authenticated();
        });
        AdapterResult result = adapter.adapt(request);
        if (result instanceof AdapterResult.Forward forward) {
            record.emitted(forward.events());
            MDC.put(RelayExtensions.TRACE, RelayExtensions.traceOf(forward.events().get(0)));
            for (CloudEvent event : forward.events()) {
                sink.send(tracing.stamp(event, request.headers()));
            }
        }
        return result;
    }

    private WebhookAdapter select(WebhookRequest request) {
        if (request.producerHint() != null) {
            String hint = request.producerHint();
            if (!PRODUCER.matcher(hint).matches() || !producers().contains(hint)) {
                throw new EventRejectedException(404, "unknown-producer", "Unknown producer",
                        "No webhook producer of that name; known: " + producers() + ".");
            }
        }
        return adapters.stream().filter(adapter -> adapter.recognises(request)).findFirst()
                .orElseThrow(() -> EventRejectedException.badRequest("unrecognised-webhook", "Unrecognised webhook",
                        "The producer could not be told from the headers or the body; post to /webhooks/<producer> "
                                + "with one of " + producers() + "."));
    }
}
