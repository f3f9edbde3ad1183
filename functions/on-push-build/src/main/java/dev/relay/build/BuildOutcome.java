package dev.relay.build;

import java.time.Instant;

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

    /**
     * The local builder built and wrote the image.
     *
     * @param sourceCommit     the commit built (an annotated tag pushed as the commit is peeled to it)
     * @param sourceCommitTime when the built commit was committed (its committer time), null if unreadable
     */
    record Pushed(BuildRequest request, String image, String digest, String registry, String sourceCommit,
            Instant sourceCommitTime)
            implements BuildOutcome {
    }

    /** The build failed; {@code reason} says why (for the local builder, with the tail of the command's output). */
    record Failed(BuildRequest request, String job, String reason) implements BuildOutcome {
    }
}
