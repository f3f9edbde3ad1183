package dev.relay.build;

/** What a build did. */
public sealed interface BuildOutcome permits BuildOutcome.Started, BuildOutcome.Pushed, BuildOutcome.Failed {

    BuildRequest request();

    /**
     * A Job or PipelineRun runs the build.
     *
     * @param job     its name
     * @param already it existed before this event (a redelivery): nothing new was created
     */
    record Started(BuildRequest request, String job, boolean already) implements BuildOutcome {
    }

    /** The local builder built and wrote the image. */
    record Pushed(BuildRequest request, String image, String digest, String registry) implements BuildOutcome {
    }

    /** The build failed; {@code reason} says why (for the local builder, with the tail of the command's output). */
    record Failed(BuildRequest request, String job, String reason) implements BuildOutcome {
    }
}
