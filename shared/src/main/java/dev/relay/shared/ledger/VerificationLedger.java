package dev.relay.shared.ledger;

import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.CommitRecord;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.RepoEdit;
import dev.relay.shared.yaml.ImageValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The config repository's record of verified images: one file per application and environment,
 * {@code .relay/verified/<app>/<environment>.yaml}, rewritten by each verification in a commit whose trailers
 * ({@code Relay-Verified-Digest}, …) make the file's history the list of every image that verified there. Promotion
 * reads it to allow an approval; rollback reads it to find the last good image. Nothing lives in memory.
 */
public final class VerificationLedger {

    public static final String VERIFIED_DIGEST = "Relay-Verified-Digest";
    public static final String VERIFIED_IMAGE = "Relay-Verified-Image";
    public static final String VERIFIED_REVISION = "Relay-Verified-Revision";

    private final GitOpsWriter writer;

    public VerificationLedger(GitOpsWriter writer) {
        this.writer = writer;
    }

    public static String path(String app, String environment) {
        return ".relay/verified/" + app + "/" + environment + ".yaml";
    }

    /** Verified images of {@code app} in {@code environment}, newest first, within the cached history. */
    public List<VerifiedImage> history(ConfigRepository repo, String app, String environment, int limit) {
        return writer.history(repo, path(app, environment), limit).stream()
                .map(commit -> fromCommit(app, environment, commit))
                .flatMap(Optional::stream)
                .toList();
    }

    public Optional<VerifiedImage> find(ConfigRepository repo, String app, String environment, String digest) {
        return history(repo, app, environment, 500).stream().filter(v -> v.digest().equals(digest)).findFirst();
    }

    /** The edit that records a verification; re-playable on any head, keyed by the verifying event. */
    public static RepoEdit record(String eventId, String trace, VerifiedImage verified) {
        ImageValues.requireImageName("image", verified.image());
        ImageValues.requireDigest("digest", verified.digest());
        if (verified.tag() != null) {
            ImageValues.requireTag("tag", verified.tag());
        }
        return new RecordVerification(eventId, trace, verified);
    }

    private static Optional<VerifiedImage> fromCommit(String app, String environment, CommitRecord commit) {
        Optional<String> digest = commit.trailer(VERIFIED_DIGEST);
        Optional<String> image = commit.trailer(VERIFIED_IMAGE);
        if (digest.isEmpty() || image.isEmpty()) {
            return Optional.empty();
        }
        String reference = image.get();
        int at = reference.indexOf('@');
        String withTag = at < 0 ? reference : reference.substring(0, at);
        int colon = withTag.lastIndexOf(':');
        boolean hasTag = colon > withTag.lastIndexOf('/');
        return Optional.of(new VerifiedImage(app, environment, hasTag ? withTag.substring(0, colon) : withTag,
                hasTag ? withTag.substring(colon + 1) : null, digest.get(),
                commit.trailer(VERIFIED_REVISION).orElse(null), commit.id(), commit.time()));
    }

    private record RecordVerification(String eventId, String trace, VerifiedImage verified) implements RepoEdit {

        @Override
        public List<FileChange> apply(Path workTree) throws IOException {
            String relative = path(verified.app(), verified.environment());
            Path file = GitOpsWriter.resolveInside(workTree, relative);
            String previous = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            String content = """
                    # Written by Relay (on-sync-verify): the image last verified healthy in this environment.
                    # Its history is the list of verified images; on-metric-rollback and promotion read it.
                    app: %s
                    environment: %s
                    image: %s
                    tag: "%s"
                    digest: %s
                    revision: "%s"
                    verifiedAt: "%s"
                    """.formatted(verified.app(), verified.environment(), verified.image(),
                    verified.tag() == null ? "" : verified.tag(), verified.digest(),
                    verified.revision() == null ? "" : verified.revision(), verified.verifiedAt());
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return List.of(new FileChange(relative, previous == null ? null : "previous", verified.digest()));
        }

        @Override
        public CommitMessage message(List<FileChange> changes) {
            LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
            trailers.put("Relay-Trace", trace);
            trailers.put("Relay-App", verified.app());
            trailers.put("Relay-Environment", verified.environment());
            trailers.put(VERIFIED_IMAGE, verified.image() + (verified.tag() == null ? "" : ":" + verified.tag()));
            trailers.put(VERIFIED_DIGEST, verified.digest());
            if (verified.revision() != null) {
                trailers.put(VERIFIED_REVISION, verified.revision());
            }
            return new CommitMessage("verified(" + verified.app() + "/" + verified.environment() + "): "
                    + (verified.tag() == null ? verified.digest() : verified.tag()),
                    "on-sync-verify found the rollout healthy"
                            + (verified.revision() == null ? "." : " at revision " + verified.revision() + "."),
                    trailers);
        }
    }
}
