package dev.relay.shared.config;

import java.util.regex.Pattern;

/** Repository URLs as they may be shown: in events, logs and problems, never with credentials. */
public final class RepositoryUrls {

    private static final Pattern USERINFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@");

    private RepositoryUrls() {
    }

    /** {@code https://user:token@host/x.git} → {@code https://host/x.git}; scp-like SSH URLs keep their user. */
    public static String redact(String url) {
        return url == null ? null : USERINFO.matcher(url).replaceFirst("$1");
    }
}
