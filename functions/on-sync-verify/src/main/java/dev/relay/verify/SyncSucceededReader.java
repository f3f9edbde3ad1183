package dev.relay.verify;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.Problems;
import io.cloudevents.CloudEvent;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@code dev.relay.sync.succeeded} event into a {@link VerifyRequest}: app and environment from the data (the
 * {@code relayapp} / {@code relayenv} extensions when the data lacks them), both known to the configuration; a
 * revision that is one safe line (it ends up in a commit trailer); the commit from the data's {@code commit} when
 * ingress sent one, else from the revision. Anything else is 4xx.
 */
public final class SyncSucceededReader {

    /** What a revision may contain: Git ids, Flux's {@code main@sha1:<id>} / {@code main/<id>}, chart versions. */
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._/@:+-]{1,200}");
    private static final Pattern FULL_COMMIT = Pattern.compile("(?<![0-9a-f])([0-9a-f]{64}|[0-9a-f]{40})(?![0-9a-f])");
    private static final Pattern SHORT_COMMIT = Pattern.compile("[0-9a-f]{7,64}");
    private static final Pattern GIT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    private final RelayProperties properties;

    public SyncSucceededReader(RelayProperties properties) {
        this.properties = properties;
    }

    public VerifyRequest read(CloudEvent event) {
        Payloads.SyncSucceeded sync = EventPayloads.read(event, Payloads.SyncSucceeded.class);
        String app = firstNonBlank(sync.app(), RelayExtensions.read(event, RelayExtensions.APP).orElse(null), "app");
        String environment = firstNonBlank(sync.environment(),
                RelayExtensions.read(event, RelayExtensions.ENVIRONMENT).orElse(null), "environment");
        String revision = firstNonBlank(sync.revision(), null, "revision");
        if (!REVISION.matcher(revision).matches()) {
            throw EventRejectedException.unprocessable("invalid-revision", "Invalid revision",
                    "revision must be one line of at most 200 characters from [A-Za-z0-9._/@:+-].");
        }
        RelayProperties.Pipeline pipeline = properties.pipeline(app).orElseThrow(() ->
                EventRejectedException.unprocessable("unknown-app", "Unknown application",
                        "No pipeline is configured for app '" + printable(app) + "'."));
        RelayProperties.Environment env = pipeline.environment(environment).orElseThrow(() ->
                EventRejectedException.unprocessable("unknown-environment", "Unknown environment",
                        "Pipeline '" + app + "' has no environment '" + printable(environment) + "' (it has "
                                + pipeline.environments().stream().map(RelayProperties.Environment::name).toList()
                                + ")."));
        return new VerifyRequest(event.getId(), RelayExtensions.traceOf(event), app, pipeline, env, revision,
                commit(EventPayloads.read(event, SyncCommit.class).commit(), revision), sync.provider());
    }

    /** The {@code commit} field ingress adds to the sync data (e.g. Flux's {@code originRevision} of an OCI source). */
    record SyncCommit(String commit) {
    }

    private static String commit(String sent, String revision) {
        if (sent == null || sent.isBlank()) {
            return commitOf(revision);
        }
        if (!GIT_ID.matcher(sent).matches()) {
            throw EventRejectedException.unprocessable("invalid-commit", "Invalid commit",
                    "commit must be a full Git commit id (40 or 64 lowercase hex digits).");
        }
        return sent;
    }

    /**
     * The Git commit id a revision names: a full id anywhere in it, or the whole revision when it is a short id. An
     * OCI artifact's digest ({@code <tag>@sha256:<digest>}, Flux's revision of an OCIRepository) is not a commit.
     */
    static String commitOf(String revision) {
        if (revision.contains("sha256:")) {
            return null;
        }
        Matcher full = FULL_COMMIT.matcher(revision);
        String found = null;
        while (full.find()) {
            found = full.group(1);
        }
        if (found != null) {
            return found;
        }
        return SHORT_COMMIT.matcher(revision).matches() ? revision : null;
    }

    private static String firstNonBlank(String value, String fallback, String field) {
        if (value != null && !value.isBlank()) {
            return value;
        }
        if (fallback != null && !fallback.isBlank()) {
            return fallback;
        }
        throw EventRejectedException.unprocessable("missing-field", "Missing field",
                "The sync.succeeded data needs a non-empty '" + field + "'.");
    }

    private static String printable(String value) {
        return Problems.shown(value, 64);
    }
}
