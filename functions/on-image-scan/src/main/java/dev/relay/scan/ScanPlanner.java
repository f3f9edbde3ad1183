package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.Problems;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a {@code dev.relay.image.pushed} event, validates image, tag and digest (422 when invalid) and finds the
 * pipeline whose {@code image} is the pushed repository: a {@code relayapp} extension, when present, must name a
 * pipeline of that image (422 otherwise); no owner means {@link ScanPlan.Skip}; two owners and no {@code relayapp}
 * are ambiguous (422).
 */
public final class ScanPlanner {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,64}");

    private final RelayProperties properties;

    public ScanPlanner(RelayProperties properties) {
        this.properties = properties;
    }

    public ScanPlan plan(CloudEvent event) {
        Payloads.ImagePushed pushed = EventPayloads.read(event, Payloads.ImagePushed.class);
        String image = pushed.image();
        String tag = pushed.tag() == null || pushed.tag().isEmpty() ? null : pushed.tag();
        try {
            ImageValues.requireImageName("image", image);
            ImageValues.requireDigest("digest", pushed.digest());
            if (tag != null) {
                ImageValues.requireTag("tag", tag);
            }
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-reference", "Invalid image reference",
                    e.getMessage());
        }
        String sourceCommit = pushed.sourceCommit() == null || pushed.sourceCommit().isEmpty() ? null
                : pushed.sourceCommit();
        if (sourceCommit != null && !COMMIT.matcher(sourceCommit).matches()) {
            throw EventRejectedException.unprocessable("invalid-source-commit", "Invalid source commit",
                    "sourceCommit must be a hexadecimal Git commit id.");
        }
        String sourceCommitTime = null;
        if (pushed.sourceCommitTime() != null && !pushed.sourceCommitTime().isEmpty()) {
            sourceCommitTime = DoraTrailers.parse(pushed.sourceCommitTime()).map(DoraTrailers::format)
                    .orElseThrow(() -> EventRejectedException.unprocessable("invalid-source-commit-time",
                            "Invalid source commit time", "sourceCommitTime must be an ISO-8601 date-time."));
        }
        String app = RelayExtensions.read(event, RelayExtensions.APP).orElse(null);
        Map.Entry<String, RelayProperties.Pipeline> owner;
        if (app != null) {
            RelayProperties.Pipeline pipeline = properties.pipeline(app).orElseThrow(() ->
                    EventRejectedException.unprocessable("unknown-app", "Unknown application",
                            "No pipeline is configured for relayapp '" + printable(app) + "'."));
            if (!pipeline.image().equals(image)) {
                throw EventRejectedException.unprocessable("image-not-owned", "Image does not belong to the app",
                        "Pipeline '" + app + "' deploys " + pipeline.image() + ", not " + image + ".");
            }
            owner = Map.entry(app, pipeline);
        } else {
            List<Map.Entry<String, RelayProperties.Pipeline>> owners = properties.pipelines().entrySet().stream()
                    .filter(entry -> entry.getValue().image().equals(image))
                    .toList();
            if (owners.isEmpty()) {
                return new ScanPlan.Skip("no pipeline deploys image " + image);
            }
            if (owners.size() > 1) {
                throw EventRejectedException.unprocessable("ambiguous-app", "Several applications deploy this image",
                        "Set the relayapp extension to one of "
                                + owners.stream().map(Map.Entry::getKey).sorted().toList() + ".");
            }
            owner = owners.get(0);
        }
        return new ScanPlan.Scan(new ScanRequest(owner.getKey(), owner.getValue().scan(), image, tag,
                pushed.digest(), sourceCommit, event.getId(), RelayExtensions.traceOf(event), sourceCommitTime));
    }

    private static String printable(String value) {
        return Problems.shown(value, 64);
    }
}
