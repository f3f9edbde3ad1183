package dev.relay.ingress.registry;

import dev.relay.ingress.DeliveryIds;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import io.cloudevents.CloudEvent;

/**
 * A manifest pushed with a tag, normalised from any registry, every field validated before it is forwarded: the
 * image is a distribution reference name whose first component is the registry host, the tag follows the tag
 * grammar, the digest is {@code sha256:} and 64 lower-case hex digits.
 *
 * @param eventId  the CloudEvent id, derived from the producer's notification id
 * @param image    the repository with its registry host ({@code registry.example.com/team/app}), no tag or digest
 * @param registry the registry host (with port when not the default), the first component of {@code image}
 */
public record ImagePush(String eventId, String image, String tag, String digest, String registry) {

    /**
     * @throws EventRejectedException 400 when a field is missing, 422 when one is present but invalid
     */
    public ImagePush {
        requirePresent("registry host", registry);
        requirePresent("image", image);
        requirePresent("tag", tag);
        requirePresent("digest", digest);
        try {
            ImageValues.requireImageName("image", image);
            ImageValues.requireTag("tag", tag);
            ImageValues.requireDigest("digest", digest);
        } catch (InvalidImageValueException e) {
            throw invalid(e.getMessage() + ".");
        }
        if (!image.startsWith(registry + "/")) {
            throw invalid("image '" + DeliveryIds.printable(image) + "' does not start with its registry host '"
                    + DeliveryIds.printable(registry) + "'.");
        }
    }

    public Payloads.ImagePushed payload() {
        return new Payloads.ImagePushed(image, tag, digest, registry, null);
    }

    /** The {@code dev.relay.image.pushed} event that starts a chain: {@code relaytrace} is its own id. */
    public CloudEvent toEvent() {
        return RelayAnswers.start(eventId, RelayEventTypes.IMAGE_PUSHED, RelaySources.WEBHOOK_INGRESS, payload(),
                null);
    }

    /** The host part of {@code reference} ({@code host[:port]/path…}): everything before the first '/'. */
    static String hostOf(String reference) {
        int slash = reference.indexOf('/');
        return slash <= 0 ? null : reference.substring(0, slash);
    }

    private static void requirePresent(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw EventRejectedException.badRequest("invalid-webhook-payload", "Incomplete image push webhook",
                    "The image push has no " + field + ".");
        }
    }

    static EventRejectedException invalid(String detail) {
        return EventRejectedException.unprocessable("invalid-image-push", "Invalid image push webhook", detail);
    }

}
