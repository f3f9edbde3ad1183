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
 * One webhook, start to end: choose the adapter (the path's hint; on plain {@code /webhooks}, the first producer with
 * a secret that recognises the request, so headers never route to an unauthenticated producer), authenticate it (a
 * producer without a secret is refused unless {@code relay.ingress.allow-unauthenticated} lists it), convert it, post
 * what it yields to the broker, each event carrying the current span as its {@code traceparent} (so a producer's HTTP {@code traceparent} header starts the chain's
 * trace). No Spring, no HTTP.
 */
public final class WebhookDispatcher {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final Pattern PRODUCER = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final List<WebhookAdapter> adapters;
    private final WebhookSecrets secrets;
    private final IngressProperties properties;
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
        this.properties = properties;
        this.sink = sink;
        this.tracing = tracing;
        Set<String> unknown = new TreeSet<>(properties.providers().keySet());
        unknown.removeAll(producers());
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("relay.ingress.providers names unknown producers " + unknown
                    + "; known: " + producers());
        }
        Set<String> unknownOpen = new TreeSet<>(properties.allowUnauthenticated());
        unknownOpen.removeAll(producers());
        if (!unknownOpen.isEmpty()) {
            throw new IllegalStateException("relay.ingress.allow-unauthenticated names unknown producers "
                    + unknownOpen + "; known: " + producers());
        }
        Set<String> closed = new TreeSet<>(producers());
        closed.removeIf(producer -> properties.provider(producer).isEmpty());
        Set<String> refused = new TreeSet<>(producers());
        refused.removeAll(closed);
        refused.removeAll(properties.allowUnauthenticated());
        log.info("webhook producers {}; authenticated: {}; refused (no secret): {}", producers(), closed, refused);
        for (String producer : producers()) {
            if (properties.isOpen(producer)) {
                log.warn("webhook producer {} is accepted WITHOUT authentication on /webhooks/{} "
                        + "(relay.ingress.allow-unauthenticated); anyone who reaches this port can post as {}",
                        producer, producer, producer);
            }
        }
        secrets.reportUnreadableFiles();
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
        secrets.forProducer(adapter.producer()).ifPresentOrElse(secret -> {
            adapter.authenticate(request, secret);
            record.authenticated();
        }, () -> log.debug("webhook producer={} accepted unauthenticated", adapter.producer()));
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
            return adapters.stream().filter(adapter -> adapter.producer().equals(hint)).findFirst().orElseThrow();
        }
        List<WebhookAdapter> recognising = adapters.stream().filter(adapter -> adapter.recognises(request)).toList();
        if (recognising.isEmpty()) {
            throw EventRejectedException.badRequest("unrecognised-webhook", "Unrecognised webhook",
                    "The producer could not be told from the headers or the body; post to /webhooks/<producer> "
                            + "with one of " + producers() + ".");
        }
        return recognising.stream().filter(adapter -> properties.provider(adapter.producer()).isPresent())
                .findFirst()
                .orElseThrow(() -> new EventRejectedException(401, "webhook-unauthorized",
                        "Webhook not authenticated",
                        "Looks like " + recognising.stream().map(WebhookAdapter::producer).toList()
                                + ", which has no secret: on /webhooks only producers with a secret are told from "
                                + "headers. Set " + IngressProperties.secretSetting(recognising.get(0).producer())
                                + ", or post to /webhooks/" + recognising.get(0).producer() + " if it is listed in "
                                + "relay.ingress.allow-unauthenticated."));
    }
}
