package dev.relay.scan.reconcile;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.http.Problems;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The OCI distribution API as reconcile needs it: a repository's tags ({@code GET /v2/<name>/tags/list}, following
 * {@code Link: <...>; rel="next"}, conditional on the last {@code ETag}) and a tag's digest ({@code HEAD
 * /v2/<name>/manifests/<tag>}, {@code Docker-Content-Digest}). Credentials: basic from the Docker {@code config.json}
 * ({@code relay.reconcile.docker-config}), and a {@code WWW-Authenticate: Bearer} challenge is answered with a token
 * from its realm. Only a single-page tag list is kept between ticks (with its ETag), never credentials or tokens.
 */
public final class RegistryClient {

    static final String MANIFEST_TYPES = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("([A-Za-z]+)=\"([^\"]*)\"");

    private final ReconcileProperties properties;
    private final HttpClient http;
    private final Map<URI, TagList> lastTagLists = new ConcurrentHashMap<>();

    public RegistryClient(ReconcileProperties properties) {
        this.properties = properties;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** An image repository split into the registry to ask and the repository name there. */
    public record Repository(String host, String name) {

        public static Repository of(String image) {
            int slash = image.indexOf('/');
            if (slash > 0) {
                String first = image.substring(0, slash);
                if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                    String host = first.equals("docker.io") ? "registry-1.docker.io" : first;
                    String name = image.substring(slash + 1);
                    return new Repository(host, host.equals("registry-1.docker.io") && !name.contains("/")
                            ? "library/" + name : name);
                }
                return new Repository("registry-1.docker.io", image);
            }
            return new Repository("registry-1.docker.io", "library/" + image);
        }
    }

    /** A repository's tags; {@code notModified} when the registry answered 304 to the last list's ETag. */
    public record TagList(List<String> tags, String etag, boolean notModified) {
    }

    public TagList tags(String image) throws RegistryException {
        Repository repository = Repository.of(image);
        URI first = base(repository).resolve("/v2/" + repository.name() + "/tags/list?n=" + properties.pageSize());
        TagList last = lastTagLists.get(first);
        List<String> tags = new ArrayList<>();
        URI page = first;
        String firstEtag = null;
        for (int pages = 0; page != null; pages++) {
            if (pages == properties.maxTagPages()) {
                throw new RegistryException("GET " + first + ": more than " + properties.maxTagPages() + " pages of "
                        + properties.pageSize() + " tags (relay.reconcile.max-tag-pages)");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Accept", "application/json");
            if (pages == 0 && last != null && last.etag() != null) {
                headers.put("If-None-Match", last.etag());
            }
            HttpResponse<byte[]> response = send(repository, "GET", page, headers);
            if (pages == 0 && response.statusCode() == 304 && last != null) {
                return new TagList(last.tags(), last.etag(), true);
            }
            if (response.statusCode() == 404) {
                return new TagList(List.of(), null, false);
            }
            requireOk("GET", page, response);
            if (pages == 0) {
                firstEtag = response.headers().firstValue("ETag").orElse(null);
            }
            tags.addAll(parseTags(page, response.body()));
            page = next(page, response);
            if (page != null) {
                firstEtag = null;
            }
        }
        TagList list = new TagList(List.copyOf(tags), firstEtag, false);
        if (firstEtag != null) {
            lastTagLists.put(first, list);
        } else {
            lastTagLists.remove(first);
        }
        return list;
    }

    /** The digest {@code image:tag} names now. */
    public String digest(String image, String tag) throws RegistryException {
        Repository repository = Repository.of(image);
        URI uri = base(repository).resolve("/v2/" + repository.name() + "/manifests/"
                + URLEncoder.encode(tag, StandardCharsets.UTF_8));
        HttpResponse<byte[]> head = send(repository, "HEAD", uri, Map.of("Accept", MANIFEST_TYPES));
        requireOk("HEAD", uri, head);
        Optional<String> digest = head.headers().firstValue("Docker-Content-Digest");
        if (digest.isEmpty()) {
            HttpResponse<byte[]> get = send(repository, "GET", uri, Map.of("Accept", MANIFEST_TYPES));
            requireOk("GET", uri, get);
            digest = Optional.of(get.headers().firstValue("Docker-Content-Digest").orElseGet(() -> sha256(get.body())));
        }
        try {
            return ImageValues.requireDigest("digest", digest.get().trim());
        } catch (InvalidImageValueException e) {
            throw new RegistryException("HEAD " + uri + ": Docker-Content-Digest is not a digest");
        }
    }

    URI base(Repository repository) {
        boolean plain = properties.plainHttpRegistries().contains(repository.host());
        return URI.create((plain ? "http://" : "https://") + repository.host() + "/");
    }

    private HttpResponse<byte[]> send(Repository repository, String method, URI uri, Map<String, String> headers)
            throws RegistryException {
        Optional<String> basic = basicCredentials(repository.host());
        HttpResponse<byte[]> response = exchange(method, uri, headers, basic.orElse(null));
        if (response.statusCode() != 401) {
            return response;
        }
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        if (challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return exchange(method, uri, headers, "Bearer " + token(challenge, basic, uri));
        }
        return response;
    }

    private HttpResponse<byte[]> exchange(String method, URI uri, Map<String, String> headers, String authorization)
            throws RegistryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(properties.timeout())
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new RegistryException(method + " " + uri + ": registry unreachable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + Problems.shown(e.getMessage(), 200)) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(method + " " + uri + ": interrupted", e);
        }
    }

    private String token(String challenge, Optional<String> basic, URI uri) throws RegistryException {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge.substring(7));
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
            throw new RegistryException(uri + ": the registry's Bearer challenge names no http(s) realm");
        }
        StringBuilder query = new StringBuilder();
        for (String key : List.of("service", "scope")) {
            if (params.containsKey(key)) {
                query.append(query.isEmpty() ? "" : "&").append(key).append('=')
                        .append(URLEncoder.encode(params.get(key), StandardCharsets.UTF_8));
            }
        }
        URI tokenUri = URI.create(realm + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + query));
        HttpResponse<byte[]> response = exchange("GET", tokenUri, Map.of("Accept", "application/json"),
                basic.orElse(null));
        requireOk("GET", tokenUri, response);
        try {
            JsonNode body = EventPayloads.mapper().readTree(response.body());
            String token = body.path("token").asString(body.path("access_token").asString(""));
            if (token.isBlank()) {
                throw new RegistryException("GET " + tokenUri + ": no token in the answer");
            }
            return token;
        } catch (JacksonException e) {
            throw new RegistryException("GET " + tokenUri + ": the token answer is not JSON", e);
        }
    }

    /** {@code Basic ...} for {@code host} from the Docker config's {@code auths}, read at each use. */
    private Optional<String> basicCredentials(String host) throws RegistryException {
        if (properties.dockerConfig() == null) {
            return Optional.empty();
        }
        try {
            JsonNode auths = EventPayloads.mapper().readTree(Files.readAllBytes(properties.dockerConfig()))
                    .path("auths");
            for (String key : List.of(host, "https://" + host, "http://" + host,
                    host.equals("registry-1.docker.io") ? "https://index.docker.io/v1/" : host)) {
                JsonNode entry = auths.path(key);
                if (entry.isObject()) {
                    String auth = entry.path("auth").asString("");
                    if (auth.isBlank() && entry.has("username")) {
                        auth = Base64.getEncoder().encodeToString((entry.path("username").asString("") + ":"
                                + entry.path("password").asString("")).getBytes(StandardCharsets.UTF_8));
                    }
                    return auth.isBlank() ? Optional.empty() : Optional.of("Basic " + auth);
                }
            }
            return Optional.empty();
        } catch (IOException | JacksonException e) {
            throw new RegistryException("relay.reconcile.docker-config " + properties.dockerConfig()
                    + " is not a readable Docker config.json (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static void requireOk(String method, URI uri, HttpResponse<byte[]> response) throws RegistryException {
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new RegistryException(method + " " + uri + ": HTTP " + status
                    + " (check relay.reconcile.docker-config for this registry)");
        }
        if (status < 200 || status > 299) {
            throw new RegistryException(method + " " + uri + ": HTTP " + status);
        }
    }

    private static List<String> parseTags(URI page, byte[] body) throws RegistryException {
        try {
            JsonNode tags = EventPayloads.mapper().readTree(body).path("tags");
            List<String> out = new ArrayList<>();
            for (JsonNode tag : tags) {
                try {
                    out.add(ImageValues.requireTag("tag", tag.asString("")));
                } catch (InvalidImageValueException e) {
                    // a name no manifest can carry: not a candidate
                }
            }
            return out;
        } catch (JacksonException e) {
            throw new RegistryException("GET " + page + ": the tag list is not JSON", e);
        }
    }

    /** The next page, only on the same registry: credentials never follow a link elsewhere. */
    private static URI next(URI page, HttpResponse<byte[]> response) throws RegistryException {
        URI next = response.headers().firstValue("Link").map(NEXT::matcher).filter(Matcher::find)
                .map(m -> page.resolve(m.group(1))).orElse(null);
        if (next != null && !(page.getScheme().equals(next.getScheme())
                && page.getRawAuthority().equals(next.getRawAuthority()))) {
            throw new RegistryException("GET " + page + ": the next page is on another host");
        }
        return next;
    }

    private static String sha256(byte[] body) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
