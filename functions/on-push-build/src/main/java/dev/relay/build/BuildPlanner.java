package dev.relay.build;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.yaml.InvalidImageValueException;
import java.util.List;
import java.util.Map;

/**
 * Chooses the pipeline a push builds. A pipeline matches when its {@code source.repository} is the pushed
 * repository and a {@code source.branches} (branch push) or {@code source.tags} (tag push) glob matches the ref.
 * <ul>
 * <li>The event's {@code relayapp} extension, when set, names the application: only that pipeline is considered
 * (422 if unknown or if it builds another repository).</li>
 * <li>No match: {@link BuildPlan.Skip}.</li>
 * <li>Several matches: 422 {@code ambiguous-pipeline}. One push answers one event, and building only "the first"
 * would silently drop the others; the sender (a GitHubSource's {@code ceOverrides}, the ingress) sets
 * {@code relayapp} instead, once per application.</li>
 * </ul>
 */
public final class BuildPlanner {

    private final RelayProperties properties;

    public BuildPlanner(RelayProperties properties) {
        this.properties = properties;
    }

    public BuildPlan plan(Push push, String eventId, String trace, String requestedApp) {
        if (push.isDeletion()) {
            return new BuildPlan.Skip(push, requestedApp, null, push.ref() + " was deleted");
        }
        List<Map.Entry<String, RelayProperties.Pipeline>> owners;
        if (requestedApp != null) {
            RelayProperties.Pipeline pipeline = properties.pipeline(requestedApp).orElseThrow(() ->
                    EventRejectedException.unprocessable("unknown-app", "Unknown application",
                            "No pipeline is configured for relayapp " + PushReader.printable(requestedApp) + "."));
            if (!buildsRepository(pipeline, push)) {
                throw EventRejectedException.unprocessable("repository-not-owned",
                        "The repository is not the application's source", "Pipeline '" + requestedApp
                                + "' builds " + describeSource(pipeline) + ", not " + push.url().redacted() + ".");
            }
            owners = List.of(Map.entry(requestedApp, pipeline));
        } else {
            owners = properties.pipelines().entrySet().stream()
                    .filter(entry -> buildsRepository(entry.getValue(), push))
                    .sorted(Map.Entry.comparingByKey())
                    .toList();
            if (owners.isEmpty()) {
                return new BuildPlan.Skip(push, null, null,
                        "no pipeline builds " + push.url().redacted());
            }
        }
        List<Map.Entry<String, RelayProperties.Pipeline>> matches = owners.stream()
                .filter(entry -> matchesRef(entry.getValue().source(), push.ref()))
                .toList();
        if (matches.isEmpty()) {
            Map.Entry<String, RelayProperties.Pipeline> first = owners.get(0);
            RelayProperties.Source source = first.getValue().source();
            return new BuildPlan.Skip(push, owners.size() == 1 ? first.getKey() : null,
                    owners.size() == 1 ? first.getValue().image() : null,
                    push.ref() + " of " + push.url().redacted() + " matches no build rule (branches "
                            + (owners.size() == 1 ? source.branches() : "…") + ", tags "
                            + (owners.size() == 1 ? source.tags() : "…") + ")");
        }
        if (matches.size() > 1) {
            throw EventRejectedException.unprocessable("ambiguous-pipeline", "Several pipelines build this push",
                    push.ref() + " of " + push.url().redacted() + " is built by "
                            + matches.stream().map(Map.Entry::getKey).toList()
                            + "; set the relayapp extension to one of them (one event per application).");
        }
        String app = matches.get(0).getKey();
        RelayProperties.Pipeline pipeline = matches.get(0).getValue();
        String tag;
        try {
            tag = ImageTags.tagFor(pipeline.build(), push.ref(), push.commit());
        } catch (InvalidImageValueException e) {
            throw EventRejectedException.unprocessable("invalid-image-tag", "The push does not give a valid image tag",
                    e.getMessage());
        }
        return new BuildPlan.Build(new BuildRequest(eventId, trace, app, pipeline, push, pipeline.image(), tag,
                JobNames.of(app, push.commit(), tag)));
    }

    static boolean buildsRepository(RelayProperties.Pipeline pipeline, Push push) {
        String repository = pipeline.source() == null ? null : pipeline.source().repository();
        return repository != null && RepositoryUrl.parse(repository).map(push.url()::sameRepository).orElse(false);
    }

    static boolean matchesRef(RelayProperties.Source source, GitRef ref) {
        List<String> globs = ref.isBranch() ? source.branches() : source.tags();
        return globs.stream().anyMatch(glob -> RefGlob.matches(glob, ref.name()));
    }

    private static String describeSource(RelayProperties.Pipeline pipeline) {
        String repository = pipeline.source() == null ? null : pipeline.source().repository();
        return repository == null ? "no repository (source.repository is unset)"
                : RepositoryUrl.parse(repository).map(RepositoryUrl::redacted).orElse("an invalid repository");
    }
}
