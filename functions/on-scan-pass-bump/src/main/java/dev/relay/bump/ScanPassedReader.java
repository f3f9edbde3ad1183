package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a {@code dev.relay.scan.passed} event into a {@link BumpRequest} for the pipeline's first environment,
 * rejecting (4xx) anything that must not reach a manifest.
 */
public final class ScanPassedReader {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,64}");

    private final RelayProperties properties;

    public ScanPassedReader(RelayProperties properties) {
        this.properties = properties;
    }

    public BumpRequest read(CloudEvent event) {
        Payloads.Scan scan = EventPayloads.read(event, Payloads.Scan.class);
        String image = require(scan.image(), "image");
        String tag = require(scan.tag(), "tag");
        String digest = require(scan.digest(), "digest");
        try {
            ImageValues.requireImageName("image", image);
            ImageValues.requireTag("tag", tag);
            ImageValues.requireDigest("digest", digest);
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-reference", "Invalid image reference",
                    e.getMessage());
        }
        String sourceCommit = scan.sourceCommit();
        if (sourceCommit != null && !COMMIT.matcher(sourceCommit).matches()) {
            throw EventRejectedException.unprocessable("invalid-source-commit", "Invalid source commit",
                    "sourceCommit must be a hexadecimal Git commit id.");
        }
        String sourceCommitTime = null;
        if (scan.sourceCommitTime() != null && !scan.sourceCommitTime().isEmpty()) {
            sourceCommitTime = DoraTrailers.parse(scan.sourceCommitTime()).map(DoraTrailers::format)
                    .orElseThrow(() -> EventRejectedException.unprocessable("invalid-source-commit-time",
                            "Invalid source commit time", "sourceCommitTime must be an ISO-8601 date-time."));
        }
        Map.Entry<String, RelayProperties.Pipeline> pipeline = pipelineFor(event, image);
        return new BumpRequest(event.getId(), RelayExtensions.traceOf(event), pipeline.getKey(), pipeline.getValue(),
                pipeline.getValue().firstEnvironment(), image, tag, digest, sourceCommit, null, sourceCommitTime, null);
    }

    private Map.Entry<String, RelayProperties.Pipeline> pipelineFor(CloudEvent event, String image) {
        String app = RelayExtensions.read(event, RelayExtensions.APP).orElse(null);
        if (app != null) {
            RelayProperties.Pipeline pipeline = properties.pipeline(app).orElseThrow(() ->
                    EventRejectedException.unprocessable("unknown-app", "Unknown application",
                            "No pipeline is configured for relayapp '" + PipelineLookup.printable(app) + "'."));
            if (!pipeline.image().equals(image)) {
                throw EventRejectedException.unprocessable("image-not-owned", "Image does not belong to the app",
                        "Pipeline '" + app + "' deploys " + pipeline.image() + ", not " + image + ".");
            }
            return Map.entry(app, pipeline);
        }
        List<Map.Entry<String, RelayProperties.Pipeline>> owners = properties.pipelines().entrySet().stream()
                .filter(entry -> entry.getValue().image().equals(image))
                .toList();
        if (owners.isEmpty()) {
            throw EventRejectedException.unprocessable("unknown-app", "Unknown application",
                    "No pipeline deploys image " + image + ".");
        }
        if (owners.size() > 1) {
            throw EventRejectedException.unprocessable("ambiguous-app", "Several applications deploy this image",
                    "Set the relayapp extension to one of " + owners.stream().map(Map.Entry::getKey).sorted().toList()
                            + ".");
        }
        return owners.get(0);
    }

    private static String require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw EventRejectedException.unprocessable("missing-field", "Missing field",
                    "The scan.passed data needs a non-empty '" + field + "'.");
        }
        return value;
    }

}
