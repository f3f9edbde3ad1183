package dev.relay.verify;

import dev.relay.shared.config.RelayProperties;

/**
 * One {@code dev.relay.sync.succeeded} to verify, resolved against the pipeline configuration.
 *
 * @param revision the revision the GitOps tool synced, as sent (Argo CD: a commit id; Flux: e.g.
 *                 {@code main@sha1:<id>})
 * @param commit   the Git commit id inside {@code revision}, or null when it names none
 */
public record VerifyRequest(String eventId, String trace, String app, RelayProperties.Pipeline pipeline,
        RelayProperties.Environment environment, String revision, String commit, String provider) {

    /** The same request in the chain {@code trace} (the bump's), so every answer and commit carries it. */
    public VerifyRequest withTrace(String chainTrace) {
        return new VerifyRequest(eventId, chainTrace, app, pipeline, environment, revision, commit, provider);
    }

    public RelayProperties.Verify verify() {
        return environment.verify();
    }

    public String environmentName() {
        return environment.name();
    }
}
