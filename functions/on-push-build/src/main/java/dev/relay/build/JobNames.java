package dev.relay.build;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic names of build Jobs and PipelineRuns, so a redelivered push meets {@code AlreadyExists} instead of
 * starting a second build: {@code build-<app>-<sha12>} and, when the image tag carries more than the commit (a Git tag,
 * a {@code {branch}} template), {@code build-<app>-<sha12>-<5 hex of the tag's SHA-256>}. Always a DNS-1123 label of at
 * most 63 characters (the Job's name is also a label value on its pods); an app name too long to fit is cut and
 * suffixed with 5 hex of its own hash, so two long names that share a prefix stay apart.
 */
public final class JobNames {

    public static final int MAX = 63;
    private static final String PREFIX = "build-";
    private static final int SHA = 12;
    private static final int HASH = 5;

    private JobNames() {
    }

    public static String of(String app, String commit, String tag) {
        String suffix = "-" + commit.substring(0, SHA) + (ImageTags.isCommitOnly(tag, commit) ? "" : "-" + hash(tag));
        int room = MAX - PREFIX.length() - suffix.length();
        String appPart = sanitize(app);
        if (appPart.length() > room) {
            String hash = hash(app);
            appPart = trimDashes(appPart.substring(0, room - HASH - 1)) + "-" + hash;
        }
        return PREFIX + appPart + suffix;
    }

    private static String sanitize(String app) {
        String lower = app.toLowerCase().replaceAll("[^a-z0-9-]", "-");
        String trimmed = trimDashes(lower);
        return trimmed.isEmpty() ? "app" : trimmed;
    }

    private static String trimDashes(String value) {
        return value.replaceAll("^-+", "").replaceAll("-+$", "");
    }

    static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
