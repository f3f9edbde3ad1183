package dev.relay.build;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Git clone URL ({@code http(s)://}, {@code ssh://}, {@code git://}, scp-like {@code user@host:path}, or
 * {@code file:///path} for the local builder), reduced to
 * what identifies the repository: host, port and path. Userinfo is dropped and never shown.
 */
public record RepositoryUrl(String scheme, String host, int port, String path) {

    private static final Pattern SCP_LIKE = Pattern.compile("(?:[A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):(?!//)([^\\s?#]+)");

    public static Optional<RepositoryUrl> parse(String url) {
        if (url == null || url.isBlank() || url.length() > 2048 || url.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return Optional.empty();
        }
        int colon = url.indexOf("://");
        if (colon < 0) {
            Matcher scp = SCP_LIKE.matcher(url);
            if (!scp.matches()) {
                return Optional.empty();
            }
            String path = scp.group(2).startsWith("/") ? scp.group(2) : "/" + scp.group(2);
            return Optional.of(new RepositoryUrl("ssh", scp.group(1).toLowerCase(Locale.ROOT), -1, path));
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("file")) {
                return localRepository(uri);
            }
            if (!(scheme.equals("http") || scheme.equals("https") || scheme.equals("ssh") || scheme.equals("git"))
                    || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return Optional.empty();
            }
            String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
            return Optional.of(new RepositoryUrl(scheme, uri.getHost().toLowerCase(Locale.ROOT), uri.getPort(), path));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** {@code file:///absolute/path}: a repository on this machine, which only the local builder can build. */
    private static Optional<RepositoryUrl> localRepository(URI uri) {
        String path = uri.getPath();
        if (uri.getRawAuthority() != null || path == null || !path.startsWith("/") || uri.getRawQuery() != null
                || uri.getRawFragment() != null || (path + "/").contains("/../") || (path + "/").contains("/./")) {
            return Optional.empty();
        }
        return Optional.of(new RepositoryUrl("file", "", -1, path));
    }

    public boolean isLocal() {
        return scheme.equals("file");
    }

    /** Host, non-default port and path without a trailing {@code /} or {@code .git}: equal keys, same repository. */
    public String key() {
        String p = path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.endsWith(".git")) {
            p = p.substring(0, p.length() - 4);
        }
        return host + (port < 0 || port == defaultPort() ? "" : ":" + port) + p;
    }

    public boolean sameRepository(RepositoryUrl other) {
        return other != null && key().equals(other.key());
    }

    /** {@code host[:port]/path} as Kaniko's git context wants it; ssh and git URLs are fetched over HTTPS. */
    public String hostAndPath() {
        boolean keepPort = port >= 0 && (scheme.equals("http") || scheme.equals("https")) && port != defaultPort();
        return host + (keepPort ? ":" + port : "") + path;
    }

    public boolean isPlainHttp() {
        return scheme.equals("http");
    }

    /** The URL without userinfo, for logs, events and clones. */
    public String redacted() {
        boolean keepPort = port >= 0 && port != defaultPort();
        return scheme + "://" + host + (keepPort ? ":" + port : "") + path;
    }

    private int defaultPort() {
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            case "ssh" -> 22;
            default -> 9418;
        };
    }
}
