package dev.relay.shared.ledger;

import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.yaml.ImageValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Digests rolled back out of an environment, held in the config repository at
 * {@code .relay/holds/<app>/<environment>.yaml}: a held digest is never bumped into that environment again (the bump
 * answers {@code manifest.unchanged} with reason {@code held}); any other digest is. The rollback writes the hold in
 * the same commit as the revert, so the two can never disagree.
 */
public final class RollbackHolds {

    private static final Pattern HELD = Pattern.compile("^\\s*-\\s*digest:\\s*(sha256:[a-f0-9]{64})\\s*$",
            Pattern.MULTILINE);

    private RollbackHolds() {
    }

    public static String path(String app, String environment) {
        return ".relay/holds/" + app + "/" + environment + ".yaml";
    }

    /** Held digests of {@code app} in {@code environment} in the checked-out work tree. */
    public static Set<String> held(Path workTree, String app, String environment) throws IOException {
        Path file = GitOpsWriter.resolveInside(workTree, path(app, environment));
        return Files.isRegularFile(file) ? parse(Files.readString(file, StandardCharsets.UTF_8)) : Set.of();
    }

    public static boolean isHeld(Path workTree, String app, String environment, String digest) throws IOException {
        return held(workTree, app, environment).contains(digest);
    }

    /**
     * Adds {@code digest} to the holds of {@code app} in {@code environment} in the work tree.
     *
     * @return {@code false} when it was already held (nothing written)
     */
    public static boolean hold(Path workTree, String app, String environment, String digest, String reason,
            Instant at) throws IOException {
        ImageValues.requireDigest("digest", digest);
        Path file = GitOpsWriter.resolveInside(workTree, path(app, environment));
        String existing = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        if (existing != null && parse(existing).contains(digest)) {
            return false;
        }
        String header = existing != null ? existing : """
                # Written by Relay (on-metric-rollback): digests rolled back out of %s/%s.
                # Relay never bumps a held digest into this environment again; newer digests are not held.
                held:
                """.formatted(app, environment);
        String entry = "  - digest: " + digest + "\n    reason: \"" + reason.replaceAll("[\"\\\\\\p{Cntrl}]", "'")
                + "\"\n    at: \"" + at + "\"\n";
        Files.createDirectories(file.getParent());
        Files.writeString(file, (header.endsWith("\n") ? header : header + "\n") + entry, StandardCharsets.UTF_8);
        return true;
    }

    static Set<String> parse(String text) {
        Set<String> digests = new LinkedHashSet<>();
        Matcher matcher = HELD.matcher(text);
        while (matcher.find()) {
            digests.add(matcher.group(1));
        }
        return digests;
    }
}
