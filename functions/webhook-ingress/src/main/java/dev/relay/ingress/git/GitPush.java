package dev.relay.ingress.git;

import dev.relay.ingress.DeliveryIds;
import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A push (or tag push) normalised from any Git provider, every field validated before it is forwarded: the ref is a
 * valid {@code refs/heads/*} or {@code refs/tags/*} name, commits are 40 or 64 hex digits, the repository is an
 * http(s), ssh or git URL without a password.
 *
 * @param eventId    the CloudEvent id, derived from the producer's delivery id
 * @param commitTime the pushed commit's time as the producer tells it, normalised to ISO-8601 UTC; null when absent
 *                   or not a date-time (it only feeds the DORA lead time)
 */
public record GitPush(String eventId, String provider, String repository, String ref, String commit, String before,
        String pusher, String commitTime) {

    public GitPush(String eventId, String provider, String repository, String ref, String commit, String before,
            String pusher) {
        this(eventId, provider, repository, ref, commit, before, pusher, null);
    }

    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern ZEROS = Pattern.compile("0{40}|0{64}");
    private static final Set<String> URL_SCHEMES = Set.of("http", "https", "ssh", "git");
    private static final int MAX_REF = 1024;
    private static final int MAX_URL = 2048;
    private static final int MAX_PUSHER = 255;

    /**
     * @throws EventRejectedException 400 when a field is missing, 422 when one is present but invalid
     */
    public GitPush {
        requirePresent("repository", repository);
        requirePresent("ref", ref);
        requirePresent("commit", commit);
        requirePresent("before", before);
        requirePresent("pusher", pusher);
        commit = objectId("commit", commit);
        before = objectId("before", before);
        if (ZEROS.matcher(commit).matches()) {
            throw invalid("commit " + commit + " is the null object id (a deletion is not a push).");
        }
        if (!isBranchOrTag(ref)) {
            throw invalid("ref must be a valid refs/heads/* or refs/tags/* name, got '" + DeliveryIds.printable(ref) + "'.");
        }
        requireUrl(repository);
        if (pusher.length() > MAX_PUSHER || pusher.isBlank() || pusher.chars().anyMatch(Character::isISOControl)) {
            throw invalid("pusher must be 1-" + MAX_PUSHER + " printable characters.");
        }
        commitTime = DoraTrailers.parse(commitTime).map(DoraTrailers::format).orElse(null);
    }

    /** Whether {@code objectId} is the all-zero id producers send as {@code after} of a deleted ref. */
    public static boolean isNullObjectId(String objectId) {
        return objectId != null && ZEROS.matcher(objectId).matches();
    }

    public Payloads.GitPushed payload() {
        return new Payloads.GitPushed(repository, ref, commit, before, pusher, provider, commitTime);
    }

    /** The {@code dev.relay.git.pushed} event that starts a chain: {@code relaytrace} is its own id. */
    public CloudEvent toEvent() {
        return RelayAnswers.start(eventId, RelayEventTypes.GIT_PUSHED, RelaySources.WEBHOOK_INGRESS, payload(), null);
    }

    /** {@code git check-ref-format} rules, restricted to branches and tags. */
    static boolean isBranchOrTag(String ref) {
        if (ref.length() > MAX_REF || !(ref.startsWith("refs/heads/") || ref.startsWith("refs/tags/"))) {
            return false;
        }
        if (ref.endsWith("/") || ref.endsWith(".") || ref.contains("..") || ref.contains("//")
                || ref.contains("@{")) {
            return false;
        }
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*'
                    || c == '[' || c == '\\') {
                return false;
            }
        }
        String[] components = ref.split("/");
        if (components.length < 3) {
            return false;
        }
        for (String component : components) {
            if (component.isEmpty() || component.startsWith(".") || component.endsWith(".lock")) {
                return false;
            }
        }
        return !ref.substring(ref.indexOf('/', 5) + 1).equals("@");
    }

    private static String objectId(String field, String value) {
        String lower = value.trim().toLowerCase(Locale.ROOT);
        if (!OBJECT_ID.matcher(lower).matches()) {
            throw invalid(field + " must be a 40 or 64 digit hex object id, got '" + DeliveryIds.printable(value) + "'.");
        }
        return lower;
    }

    private static void requireUrl(String repository) {
        URI uri;
        try {
            uri = new URI(repository);
        } catch (URISyntaxException e) {
            throw invalid("repository is not a URL: " + DeliveryIds.printable(e.getReason()) + ".");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (repository.length() > MAX_URL || !URL_SCHEMES.contains(scheme) || uri.getHost() == null
                || uri.getRawPath() == null || uri.getRawPath().length() < 2) {
            throw invalid("repository must be an http(s), ssh or git URL with a host and a path.");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && (userInfo.contains(":") || scheme.startsWith("http"))) {
            throw invalid("repository must not carry credentials.");
        }
    }

    private static void requirePresent(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw EventRejectedException.badRequest("invalid-webhook-payload", "Incomplete push webhook",
                    "The push payload has no " + field + ".");
        }
    }

    private static EventRejectedException invalid(String detail) {
        return EventRejectedException.unprocessable("invalid-git-push", "Invalid push webhook", detail);
    }

}
