package dev.relay.shared.dora;

import dev.relay.shared.config.RelayProperties;
import java.util.function.BiPredicate;

/**
 * Which environment counts as production for the DORA keys: the last one of the pipeline's promotion order, the one a
 * change reaches when it is done.
 */
public final class Production {

    private Production() {
    }

    public static String environment(RelayProperties.Pipeline pipeline) {
        return pipeline.environments().get(pipeline.environments().size() - 1).name();
    }

    public static boolean is(RelayProperties.Pipeline pipeline, String environment) {
        return environment(pipeline).equals(environment);
    }

    /** Production of every configured pipeline; an app without a pipeline has none. */
    public static BiPredicate<String, String> of(RelayProperties properties) {
        return (app, environment) -> properties.pipeline(app).map(p -> is(p, environment)).orElse(false);
    }

    /** The same environment name for every app (the {@code dora} command's {@code --env}). */
    public static BiPredicate<String, String> named(String environment) {
        return (app, env) -> env.equals(environment);
    }
}
