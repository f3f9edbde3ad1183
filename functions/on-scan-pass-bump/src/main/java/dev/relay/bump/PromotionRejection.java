package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.RepoEdit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A refused promotion, recorded in the config repository: {@code .relay/rejected/<app>/<environment>.yaml} is rewritten
 * by each rejection in a commit whose trailers ({@code Relay-Rejected-Digest}, {@code Relay-Rejected-By}, …) make the
 * file's history the list of every digest refused there. A rejected digest is no longer pending for that environment.
 */
record PromotionRejection(String eventId, String trace, String app, RelayProperties.Environment environment,
        String digest, String rejectedBy, String reason) implements RepoEdit {

    static final String REJECTED_DIGEST = "Relay-Rejected-Digest";
    static final String REJECTED_BY = "Relay-Rejected-By";
    static final String REASON = "Relay-Rejection-Reason";

    static String path(String app, String environment) {
        return ".relay/rejected/" + app + "/" + environment + ".yaml";
    }

    @Override
    public List<FileChange> apply(Path workTree) throws IOException {
        String relative = path(app, environment.name());
        Path file = GitOpsWriter.resolveInside(workTree, relative);
        String previous = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        String content = """
                # Written by Relay (on-scan-pass-bump): the promotion last refused for this environment.
                # Its history is the list of refused digests; a refused digest is no longer pending here.
                app: %s
                environment: %s
                digest: %s
                rejectedAt: "%s"
                """.formatted(app, environment.name(), digest, Instant.now());
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return List.of(new FileChange(relative, previous == null ? null : "previous", digest));
    }

    @Override
    public CommitMessage message(List<FileChange> changes) {
        LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
        trailers.put("Relay-Trace", trace);
        trailers.put("Relay-App", app);
        trailers.put("Relay-Environment", environment.name());
        trailers.put(REJECTED_DIGEST, digest);
        trailers.put(REJECTED_BY, rejectedBy);
        if (reason != null) {
            trailers.put(REASON, reason);
        }
        return new CommitMessage("rejected(" + app + "/" + environment.name() + "): " + digest,
                rejectedBy + " refused the promotion of " + digest + " to " + environment.name() + ".", trailers);
    }
}
