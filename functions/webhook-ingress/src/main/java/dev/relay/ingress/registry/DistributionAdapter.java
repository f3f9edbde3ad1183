package dev.relay.ingress.registry;

import static dev.relay.ingress.git.JsonFields.text;

import dev.relay.ingress.AdapterResult;
import dev.relay.ingress.DeliveryIds;
import dev.relay.ingress.WebhookAdapter;
import dev.relay.ingress.WebhookRequest;
import dev.relay.ingress.WebhookSecret;
import dev.relay.ingress.git.JsonFields;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The CNCF distribution registry's notifications ({@code application/vnd.docker.distribution.events.v1+json}, v2 in
 * distribution 3; body {@code {"events":[…]}}), authenticated by the {@code Authorization} header of the registry's
 * endpoint configuration ({@code Bearer <secret>}, {@code Basic <base64(user:secret)>} or the raw secret). Each event with {@code action: push} whose
 * target is a manifest (Docker v2 manifest or manifest list, OCI image manifest or index) and carries a tag becomes
 * one {@code dev.relay.image.pushed} with id {@code distribution-<event id>}, so a redelivered envelope yields the
 * same ids. Blob (layer, config) pushes, pulls, deletes and manifest pushes by digest only are skipped; an envelope
 * in which nothing qualifies answers 2xx with the reason.
 *
 * <p>The registry retries a delivery that is not answered 2xx, forever, and holds every later notification of that
 * endpoint behind it. So an invalid event inside a valid envelope (a bad digest, tag or repository) does not fail the
 * envelope: it is skipped and reported ({@code rejected}, {@code rejectedReasons} in the 2xx body, a WARN line and the
 * metric outcome {@code rejected-event}), and the valid events are forwarded. A body that is not an envelope at all
 * stays a 400.
 *
 * <p>The image is {@code request.host/target.repository}: the host the pusher addressed, which is how clients name
 * the image; when the registry recorded no request host, the host of {@code target.url}.
 */
public final class DistributionAdapter implements WebhookAdapter {

    public static final String PRODUCER = "distribution";
    static final String AUTHORIZATION = "Authorization";
    static final Set<String> MEDIA_TYPES = Set.of("application/vnd.docker.distribution.events.v1+json",
            "application/vnd.docker.distribution.events.v2+json");
    static final Set<String> MANIFEST_TYPES = Set.of(
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json");

    @Override
    public String producer() {
        return PRODUCER;
    }

    @Override
    public boolean recognises(WebhookRequest request) {
        return request.hint().map(PRODUCER::equals).orElseGet(() -> {
            if (MEDIA_TYPES.contains(request.mediaType())) {
                return true;
            }
            JsonNode events = request.json().path("events");
            return events.isArray() && !events.isEmpty() && events.get(0).path("action").isString()
                    && events.get(0).path("target").isObject();
        });
    }

    @Override
    public void authenticate(WebhookRequest request, WebhookSecret secret) {
        secret.requireAuthorization(AUTHORIZATION, request.header(AUTHORIZATION));
    }

    /** The actions of the envelope ({@code push}, {@code pull,push}), for the log line. */
    @Override
    public String eventName(WebhookRequest request) {
        Set<String> actions = new LinkedHashSet<>();
        request.json().path("events").forEach(event -> {
            String action = text(event, "action");
            if (action != null) {
                actions.add(action);
            }
        });
        return actions.isEmpty() ? null : String.join(",", actions);
    }

    /** The first event's id, for the log line. */
    @Override
    public String deliveryId(WebhookRequest request) {
        return text(request.json().path("events").path(0), "id");
    }

    @Override
    public AdapterResult adapt(WebhookRequest request) {
        JsonNode json = JsonFields.object(request, PRODUCER);
        JsonNode events = json.path("events");
        if (!events.isArray()) {
            throw EventRejectedException.badRequest("invalid-webhook-payload", "Not a registry notification",
                    "A distribution notification is a JSON object with an \"events\" array.");
        }
        List<CloudEvent> forward = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        int notPush = 0;
        int notManifest = 0;
        int untagged = 0;
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            JsonNode target = event.path("target");
            if (!"push".equals(text(event, "action"))) {
                notPush++;
            } else if (!MANIFEST_TYPES.contains(text(target, "mediaType"))) {
                notManifest++;
            } else if (text(target, "tag") == null) {
                untagged++;
            } else {
                try {
                    forward.add(push(request, event, target, i).toEvent());
                } catch (EventRejectedException e) {
                    rejected.add("events[" + i + "] (id " + DeliveryIds.printable(text(event, "id")) + "): "
                            + e.detail());
                }
            }
        }
        if (!forward.isEmpty()) {
            return new AdapterResult.Forward(forward, rejected);
        }
        return new AdapterResult.Ignore("no tagged manifest push among " + events.size() + " events ("
                + notPush + " not a push, " + notManifest + " blob or other non-manifest pushes, " + untagged
                + " manifest pushes without a tag" + (rejected.isEmpty() ? "" : ", " + rejected.size() + " invalid")
                + ")", rejected);
    }

    private static ImagePush push(WebhookRequest request, JsonNode event, JsonNode target, int index) {
        String id = text(event, "id");
        String eventId = id != null ? DeliveryIds.eventId(PRODUCER, "events[" + index + "].id", id, request.body())
                : DeliveryIds.eventId(PRODUCER, null, null, request.body()) + "-" + index;
        String repository = text(target, "repository");
        if (repository == null) {
            repository = text(event, "repository");
        }
        String host = text(event, "request", "host");
        if (host == null) {
            host = urlHost(text(target, "url"));
        }
        String image = host == null || repository == null ? null : host + "/" + repository;
        return new ImagePush(eventId, image, text(target, "tag"), text(target, "digest"), host);
    }

    /** {@code host[:port]} of an absolute URL, or null. */
    private static String urlHost(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                return null;
            }
            return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } catch (URISyntaxException e) {
            throw ImagePush.invalid("target.url is not a URL: '" + DeliveryIds.printable(url) + "'.");
        }
    }
}
