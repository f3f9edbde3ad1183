package dev.relay.scan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic names of scan Jobs, so a redelivered {@code image.pushed} meets {@code AlreadyExists} and reads the
 * first Job's report instead of starting a second scan: {@code scan-<app>-<first 12 hex of the digest>}. Always a
 * DNS-1123 label of at most 63 characters (the Job's name is also the {@code job-name} label of its pods); an app name
 * too long to fit is cut and suffixed with 5 hex of its own hash.
 */
public final class ScanJobNames {

    public static final int MAX = 63;
    private static final String PREFIX = "scan-";
    private static final int HEX = 12;
    private static final int HASH = 5;

    private ScanJobNames() {
    }

    public static String of(String app, String digest) {
        String suffix = "-" + hex(digest).substring(0, HEX);
        int room = MAX - PREFIX.length() - suffix.length();
        String appPart = sanitize(app);
        if (appPart.length() > room) {
            appPart = trimDashes(appPart.substring(0, room - HASH - 1)) + "-" + hash(app);
        }
        return PREFIX + appPart + suffix;
    }

    /** The hex part of {@code sha256:<hex>}. */
    static String hex(String digest) {
        int colon = digest.indexOf(':');
        return colon < 0 ? digest : digest.substring(colon + 1);
    }

    private static String sanitize(String app) {
        String trimmed = trimDashes(app.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-"));
        return trimmed.isEmpty() ? "app" : trimmed;
    }

    private static String trimDashes(String value) {
        return value.replaceAll("^-+", "").replaceAll("-+$", "");
    }

    private static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
