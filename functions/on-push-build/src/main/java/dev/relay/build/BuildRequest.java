package dev.relay.build;

import dev.relay.shared.config.RelayProperties;

/**
 * A decided build: which application, which commit, which image reference, under which deterministic name.
 *
 * @param image the pipeline's image repository; the build produces {@code image:tag}
 * @param name  the Job / PipelineRun name ({@link JobNames})
 */
public record BuildRequest(
        String eventId,
        String trace,
        String app,
        RelayProperties.Pipeline pipeline,
        Push push,
        String image,
        String tag,
        String name) {

    public String imageReference() {
        return image + ":" + tag;
    }

    public RelayProperties.Build build() {
        return pipeline.build();
    }

    public String builderName() {
        return pipeline.build().builder().name().toLowerCase();
    }

    public String commit() {
        return push.commit();
    }
}
