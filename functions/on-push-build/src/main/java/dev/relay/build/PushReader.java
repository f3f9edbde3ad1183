package dev.relay.build;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a push from {@code dev.relay.git.pushed} or from a Knative GitHubSource's
 * {@code dev.knative.source.github.push} (whose data is GitHub's push payload), and rejects (4xx) what cannot be
 * built: missing fields, a ref that is not a well-formed branch or tag, a commit that is not 40 or 64 hex digits, a
 * repository that is not an http(s), ssh or git URL.
 */
public final class PushReader {

    /** Type of the push events of the Knative GitHubSource (knative-extensions/eventing-github). */
    public static final String GITHUB_SOURCE_PUSH = "dev.knative.source.github.push";

    private static final Pattern COMMIT = Pattern.compile("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}");

    public boolean accepts(String type) {
        return RelayEventTypes.GIT_PUSHED.equals(type) || GITHUB_SOURCE_PUSH.equals(type);
    }

    public Push read(CloudEvent event) {
        if (GITHUB_SOURCE_PUSH.equals(event.getType())) {
            GitHubPush push = EventPayloads.read(event, GitHubPush.class);
            String cloneUrl = push.repository() == null ? null : push.repository().cloneUrl();
            String pusher = push.pusher() == null ? null : push.pusher().name();
            String after = Boolean.TRUE.equals(push.deleted()) && push.after() == null ? "0".repeat(40) : push.after();
            String headTime = push.headCommit() == null || !after.equalsIgnoreCase(push.headCommit().id()) ? null
                    : push.headCommit().timestamp();
            return validate(cloneUrl, push.ref(), after, push.before(), pusher, "github", "repository.clone_url",
                    "after", headTime, "head_commit.timestamp");
        }
        Payloads.GitPushed push = EventPayloads.read(event, Payloads.GitPushed.class);
        return validate(push.repository(), push.ref(), push.commit(), push.before(), push.pusher(), push.provider(),
                "repository", "commit", push.commitTime(), "commitTime");
    }

    private static Push validate(String repository, String ref, String commit, String before, String pusher,
            String provider, String repositoryField, String commitField, String commitTime, String commitTimeField) {
        require(repository, repositoryField);
        require(ref, "ref");
        require(commit, commitField);
        RepositoryUrl url = RepositoryUrl.parse(repository).orElseThrow(() -> EventRejectedException.unprocessable(
                "invalid-repository", "Invalid repository URL",
                repositoryField + " must be an http(s), ssh or git clone URL (or user@host:path), got "
                        + printable(repository) + "."));
        GitRef gitRef = GitRef.parse(ref).orElseThrow(() -> EventRejectedException.unprocessable("invalid-ref",
                "Invalid ref", "ref must be refs/heads/<branch> or refs/tags/<tag> with a valid Git name, got "
                        + printable(ref) + "."));
        if (!COMMIT.matcher(commit).matches()) {
            throw EventRejectedException.unprocessable("invalid-commit", "Invalid commit",
                    commitField + " must be a full commit id (40 or 64 hex digits), got " + printable(commit) + ".");
        }
        if (before != null && !before.isEmpty() && !COMMIT.matcher(before).matches()) {
            throw EventRejectedException.unprocessable("invalid-commit", "Invalid commit",
                    "before must be a full commit id (40 or 64 hex digits), got " + printable(before) + ".");
        }
        String time = null;
        if (commitTime != null && !commitTime.isBlank()) {
            time = DoraTrailers.parse(commitTime).map(DoraTrailers::format).orElseThrow(() ->
                    EventRejectedException.unprocessable("invalid-commit-time", "Invalid commit time",
                            commitTimeField + " must be an ISO-8601 date-time, got " + printable(commitTime) + "."));
        }
        return new Push(url.redacted().equals(repository) ? repository : stripUserinfo(repository), url, gitRef,
                commit.toLowerCase(Locale.ROOT), before == null ? null : before.toLowerCase(Locale.ROOT), pusher,
                provider, time);
    }

    /** Never repeat credentials a sender put in a clone URL. */
    private static String stripUserinfo(String repository) {
        return repository.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1");
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw EventRejectedException.unprocessable("missing-field", "Missing field",
                    "The push data needs a non-empty '" + field + "'.");
        }
    }

    static String printable(String value) {
        String shown = value.length() > 120 ? value.substring(0, 120) + "…" : value;
        return "'" + stripUserinfo(shown).replaceAll("[^\\x20-\\x7e…]", "?") + "'";
    }

    /** The part of GitHub's push payload Relay reads. */
    record GitHubPush(String ref, String after, String before, Boolean deleted, GitHubRepository repository,
            GitHubPusher pusher, @JsonProperty("head_commit") GitHubCommit headCommit) {
    }

    record GitHubCommit(String id, String timestamp) {
    }

    record GitHubRepository(@JsonProperty("clone_url") String cloneUrl) {
    }

    record GitHubPusher(String name) {
    }
}
