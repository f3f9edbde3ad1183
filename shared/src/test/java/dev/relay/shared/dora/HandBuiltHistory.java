package dev.relay.shared.dora;

import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.ledger.VerificationLedger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * A config repository built commit by commit at fixed times, with the trailers Relay's functions write (bump,
 * verification ledger, rollback). {@link #standard} is the history both {@code DoraHistoryTest} and the
 * {@code relay-local dora} test read, with its expected figures stated there:
 * <pre>
 * web-app (production = "production"), window 2026-10-01 .. 2026-10-11 (10 days)
 *   D1 source 10-01 08:00, verified in production 10-01 10:00   lead time 2h
 *   D2 source 10-03 08:00, verified in production 10-03 12:00   lead time 4h
 *   D3 source 10-05 09:00, verified in production 10-05 10:00   lead time 1h
 *      breach 10-05 10:30, rollback to D2 10-05 11:00, D2 verified again 10-05 11:45   restore 1h 15m
 *   D2 verified again on a re-sync 10-06 09:00                   (not a deployment)
 *   D4 source 10-08 06:00, verified in production 10-08 14:00   lead time 8h
 *   D5 verified in development only 10-09                         (not a deployment)
 *   rollback in development 10-09                                  (not a production rollback)
 * api: one production deployment 10-04 without a source commit time (lead time unknown)
 * </pre>
 */
public final class HandBuiltHistory implements AutoCloseable {

    public static final String D1 = digest('1');
    public static final String D2 = digest('2');
    public static final String D3 = digest('3');
    public static final String D4 = digest('4');
    public static final String D5 = digest('5');
    public static final String API_D1 = digest('a');

    private final Git git;
    private final Path dir;
    private int sequence;

    private HandBuiltHistory(Path dir) throws GitAPIException {
        this.dir = dir;
        this.git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    public static HandBuiltHistory create(Path dir) throws GitAPIException {
        return new HandBuiltHistory(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The history of the class comment. */
    public static HandBuiltHistory standard(Path dir) throws GitAPIException, IOException {
        HandBuiltHistory h = create(dir);
        h.deploy("web-app", D1, "1.0.0", "2026-10-01T08:00:00Z", "2026-10-01T09:00:00Z", "2026-10-01T10:00:00Z");
        h.deploy("web-app", D2, "1.1.0", "2026-10-03T08:00:00Z", "2026-10-03T09:00:00Z", "2026-10-03T12:00:00Z");
        h.deploy("api", API_D1, "0.1.0", null, "2026-10-04T09:00:00Z", "2026-10-04T10:00:00Z");
        h.deploy("web-app", D3, "1.2.0", "2026-10-05T09:00:00Z", "2026-10-05T09:20:00Z", "2026-10-05T10:00:00Z");
        h.rollback("web-app", "production", D3, D2, "1.1.0", "2026-10-05T10:30:00Z", "2026-10-05T11:00:00Z");
        h.verify("web-app", "production", D2, "1.1.0", "2026-10-05T11:45:00Z");
        h.verify("web-app", "production", D2, "1.1.0", "2026-10-06T09:00:00Z");
        h.deploy("web-app", D4, "1.3.0", "2026-10-08T06:00:00Z", "2026-10-08T07:00:00Z", "2026-10-08T14:00:00Z");
        h.bump("web-app", "development", D5, "1.4.0", "2026-10-09T07:00:00Z", "2026-10-09T08:00:00Z");
        h.verify("web-app", "development", D5, "1.4.0", "2026-10-09T08:30:00Z");
        h.rollback("web-app", "development", D5, D4, "1.3.0", "2026-10-09T08:40:00Z", "2026-10-09T09:00:00Z");
        return h;
    }

    /** Bump into development (with the source commit time when known), verify there, bump and verify production. */
    public void deploy(String app, String digest, String tag, String sourceTime, String devTime, String prodVerified)
            throws GitAPIException, IOException {
        bump(app, "development", digest, tag, sourceTime, devTime);
        verify(app, "development", digest, tag, devTime);
        bump(app, "production", digest, tag, null, prodVerified);
        verify(app, "production", digest, tag, prodVerified);
    }

    /** A bump commit as on-scan-pass-bump writes it. */
    public void bump(String app, String environment, String digest, String tag, String sourceTime, String at)
            throws GitAPIException, IOException {
        LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
        trailers.put(CommitMessage.EVENT_ID_TRAILER, "bump-" + (++sequence));
        trailers.put("Relay-Trace", "trace-" + tag);
        if (sourceTime != null) {
            trailers.put("Relay-Source-Commit", "0123456789abcdef0123456789abcdef0123456" + (sequence % 10));
            trailers.put(DoraTrailers.SOURCE_COMMIT_TIME, sourceTime);
        }
        trailers.put("Relay-Image-Digest", digest);
        trailers.put("Relay-Image", "registry.example.com/team/" + app + ":" + tag);
        trailers.put("Relay-App", app);
        trailers.put("Relay-Environment", environment);
        commit("apps/" + app + "/overlays/" + environment + "/kustomization.yaml", "newTag: " + tag + "\n",
                new CommitMessage("bump(" + app + "/" + environment + "): -> " + tag, null, trailers), at);
    }

    /** A verification ledger commit as on-sync-verify writes it. */
    public void verify(String app, String environment, String digest, String tag, String at)
            throws GitAPIException, IOException {
        LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
        trailers.put(CommitMessage.EVENT_ID_TRAILER, "sync-" + (++sequence));
        trailers.put("Relay-Trace", "trace-" + tag);
        trailers.put("Relay-App", app);
        trailers.put("Relay-Environment", environment);
        trailers.put(VerificationLedger.VERIFIED_IMAGE, "registry.example.com/team/" + app + ":" + tag);
        trailers.put(VerificationLedger.VERIFIED_DIGEST, digest);
        commit(VerificationLedger.path(app, environment), "digest: " + digest + "\nverifiedAt: " + at + "\n",
                new CommitMessage("verified(" + app + "/" + environment + "): " + tag, null, trailers), at);
    }

    /** A rollback commit as on-metric-rollback writes it. */
    public void rollback(String app, String environment, String bad, String good, String goodTag, String breachedAt,
            String at) throws GitAPIException, IOException {
        LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
        trailers.put(CommitMessage.EVENT_ID_TRAILER, "alert-" + (++sequence));
        trailers.put("Relay-Trace", "trace-alert");
        trailers.put("Relay-Rollback-Reason", "metric-breached");
        trailers.put("Relay-Image-Digest", good);
        trailers.put("Relay-Image", "registry.example.com/team/" + app + ":" + goodTag);
        trailers.put("Relay-Rolled-Back-Digest", bad);
        trailers.put(DoraTrailers.BREACHED_AT, breachedAt);
        trailers.put("Relay-App", app);
        trailers.put("Relay-Environment", environment);
        commit("apps/" + app + "/overlays/" + environment + "/kustomization.yaml", "newTag: " + goodTag + "\n",
                new CommitMessage("rollback(" + app + "/" + environment + "): -> " + goodTag, null, trailers), at);
    }

    private void commit(String path, String content, CommitMessage message, String at)
            throws GitAPIException, IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        git.add().addFilepattern(path).call();
        PersonIdent relay = new PersonIdent("Relay", "relay@example.com", Instant.parse(at), ZoneOffset.UTC);
        git.commit().setMessage(message.render()).setAuthor(relay).setCommitter(relay).setSign(false).call();
    }

    private static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    @Override
    public void close() {
        git.close();
    }
}
