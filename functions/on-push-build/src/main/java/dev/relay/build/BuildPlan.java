package dev.relay.build;

/** What to do with a push: build one application's image, or nothing (and why). */
public sealed interface BuildPlan permits BuildPlan.Build, BuildPlan.Skip {

    record Build(BuildRequest request) implements BuildPlan {
    }

    /**
     * @param app   the application the push belongs to, when one does
     * @param image its image repository, when known
     */
    record Skip(Push push, String app, String image, String reason) implements BuildPlan {
    }
}
