package dev.relay.shared.gitops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** URL helpers: userinfo stripping for messages, cache directory names. */
final class RemoteUrls {

    private static final Pattern USERINFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@");

    private RemoteUrls() {
    }

    /** {@code https://user:secret@host/x} → {@code https://host/x}; scp-like {@code git@host:x} is kept. */
    static String redact(String url) {
        return url == null ? null : USERINFO.matcher(url).replaceFirst("$1");
    }

    static boolean hasPassword(String url) {
        var m = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://([^/@]*)@").matcher(url);
        return m.find() && m.group(1).contains(":");
    }

    static String cacheKey(String url, String branch) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((url + "\n" + branch).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
