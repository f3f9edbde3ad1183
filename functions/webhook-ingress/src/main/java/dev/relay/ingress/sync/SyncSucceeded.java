package dev.relay.ingress.sync;

import dev.relay.ingress.DeliveryIds;
import dev.relay.ingress.IngressProperties;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GitOps controller finished applying a revision for one Relay app and environment, normalised from Argo CD or Flux,
 * every field validated before it is forwarded: app and environment are DNS-1123 labels; the revision is what the
 * controller reports, 1-128 characters of {@code [A-Za-z0-9._@:/+-]} — a Git commit (40 or 64 hex), Flux's
 * {@code <branch>@sha1:<hex>} or {@code <tag>@sha256:<hex>}, or a Helm chart version such as {@code 6.5.0+1}.
 *
 * @param eventId  the CloudEvent id, derived from what identifies the sync at the producer
 * @param provider {@code argocd} or {@code flux}
 * @param commit   the Git commit inside {@code revision} when it names one ({@code main@sha1:<hex>}, a bare sha), else null
 */
public record SyncSucceeded(String eventId, String app, String environment, String revision, String provider,
        String commit) {

    static final Pattern NAME = Pattern.compile(IngressProperties.NAME);
    static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._@:/+-]{1,128}");
    private static final Pattern COMMIT = Pattern.compile(
            "(?:^|@sha1:|^sha1:|@sha256:|^sha256:|/)([0-9a-f]{40}|[0-9a-f]{64})$");

    /** @throws EventRejectedException 422 naming the invalid field */
    public SyncSucceeded {
        requireName("app", app);
        requireName("environment", environment);
        if (revision == null || !REVISION.matcher(revision).matches()) {
            throw invalid("revision '" + DeliveryIds.printable(revision) + "' is not a revision: expected 1-128 of "
                    + "[A-Za-z0-9._@:/+-] (a commit sha, <branch>@sha1:<sha> or a Helm chart version).");
        }
    }

    /** The commit named by a revision: a bare 40/64-hex sha, {@code main@sha1:<sha>}, {@code main/<sha>}; else null. */
    static String commitOf(String revision) {
        if (revision == null) {
            return null;
        }
        Matcher matcher = COMMIT.matcher(revision);
        if (!matcher.find()) {
            return null;
        }
        // an OCI artifact digest (<tag>@sha256:<64 hex>) is not a commit
        return revision.contains("sha256:") ? null : matcher.group(1);
    }

    public Data payload() {
        return new Data(app, environment, revision, provider, commit);
    }

    /** {@code dev.relay.sync.succeeded}, starting a chain, with {@code relayapp} and {@code relayenv}. */
    public CloudEvent toEvent() {
        CloudEvent start = RelayAnswers.start(eventId, RelayEventTypes.SYNC_SUCCEEDED, RelaySources.WEBHOOK_INGRESS,
                payload(), app);
        return CloudEventBuilder.v1(start).withExtension(RelayExtensions.ENVIRONMENT, environment).build();
    }

    /** The event data: {@code Payloads.SyncSucceeded}'s fields plus {@code commit} (omitted when null). */
    public record Data(String app, String environment, String revision, String provider, String commit) {
    }

    private static void requireName(String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw invalid(field + " '" + DeliveryIds.printable(value)
                    + "' is not a Relay name (DNS-1123 label: lowercase letters, digits, '-').");
        }
    }

    static EventRejectedException invalid(String detail) {
        return EventRejectedException.unprocessable("invalid-sync", "Invalid sync notification", detail);
    }

    static EventRejectedException unmapped(String detail) {
        return EventRejectedException.unprocessable("unmapped-sync", "Sync notification names no Relay app", detail);
    }
}
