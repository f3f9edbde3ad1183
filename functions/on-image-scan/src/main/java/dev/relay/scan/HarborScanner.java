package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.http.EventRetryableException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code harbor}: reads the vulnerability report Harbor's scanner produced for the pushed artifact,
 * {@code GET <url>/api/v2.0/projects/<project>/repositories/<repository>/artifacts/<digest>/additions/vulnerabilities}
 * (a repository name with '/' is sent double-encoded, {@code %252F}, as Harbor requires), with basic auth from
 * {@code username-file}/{@code password-file} (read at use, never logged). No report yet (Harbor still scanning)
 * or a transient failure → 503 so the broker redelivers; wrong credentials, an unknown artifact or an unreadable
 * report → {@link ScanOutcome.Errored}.
 */
public final class HarborScanner implements Scanner {

    private final HttpClient http;

    public HarborScanner() {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build());
    }

    HarborScanner(HttpClient http) {
        this.http = http;
    }

    @Override
    public ScanOutcome scan(ScanRequest request) {
        RelayProperties.Harbor config = request.config().harbor();
        Optional<Artifact> artifact = artifact(request.image(), config.project());
        if (artifact.isEmpty()) {
            return new ScanOutcome.Errored("harbor: image " + request.image() + " is not <harbor-host>/<project>/"
                    + "<repository>; set relay.pipelines." + request.app() + ".scan.harbor.project");
        }
        URI uri = uri(config.url(), artifact.get(), request.digest());
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(config.timeout())
                .header("Accept", "application/json")
                .header("X-Accept-Vulnerabilities", HarborReportParser.ACCEPT);
        try {
            authorization(config).ifPresent(value -> builder.header("Authorization", value));
        } catch (IOException e) {
            return new ScanOutcome.Errored("harbor: cannot read the credential file: " + e.getMessage());
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw EventRetryableException.unavailable("harbor-unavailable", "Harbor did not answer",
                    "GET " + uri + " timed out after " + config.timeout().toSeconds() + "s (harbor.timeout).", e);
        } catch (IOException e) {
            throw EventRetryableException.unavailable("harbor-unavailable", "Harbor is unreachable",
                    "GET " + uri + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EventRetryableException.unavailable("interrupted", "Interrupted while asking Harbor",
                    "on-image-scan is shutting down; redeliver the event.", e);
        }
        int status = response.statusCode();
        String where = "artifact " + request.digest() + " of " + artifact.get().project() + "/"
                + artifact.get().repository() + " at " + config.url();
        if (status == 200) {
            Optional<ScanReport> report;
            try {
                report = HarborReportParser.parse(response.body());
            } catch (ScanReportException e) {
                return new ScanOutcome.Errored("harbor: " + e.getMessage());
            }
            if (report.isEmpty()) {
                throw EventRetryableException.unavailable("scan-in-progress", "Harbor has no report yet",
                        "Harbor has no vulnerability report for " + where + " yet (scan still running, or"
                                + " scan on push is off for the project); a redelivery asks again.", null);
            }
            return new ScanOutcome.Reported(report.get(), "Harbor " + config.url());
        }
        if (status == 401 || status == 403) {
            return new ScanOutcome.Errored("harbor: HTTP " + status + " for " + where + ": check the robot account"
                    + " in harbor.username-file / harbor.password-file and its read permission on the project");
        }
        if (status == 404) {
            return new ScanOutcome.Errored("harbor: " + where + " not found (HTTP 404)");
        }
        if (status == 429 || status >= 500) {
            throw EventRetryableException.unavailable("harbor-unavailable", "Harbor failed",
                    "GET " + uri + " answered HTTP " + status + ".", null);
        }
        return new ScanOutcome.Errored("harbor: HTTP " + status + " for " + where + ": "
                + OutputTail.of(response.body()));
    }

    /** A Harbor project and repository (the part of the repository path after the project). */
    record Artifact(String project, String repository) {
    }

    /** {@code harbor.example.com/team/web/app} → project {@code team}, repository {@code web/app}. */
    static Optional<Artifact> artifact(String image, String configuredProject) {
        String path = image;
        int slash = image.indexOf('/');
        if (slash > 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                path = image.substring(slash + 1);
            }
        }
        if (configuredProject != null && !configuredProject.isBlank()) {
            String repository = path.startsWith(configuredProject + "/")
                    ? path.substring(configuredProject.length() + 1) : path;
            return Optional.of(new Artifact(configuredProject, repository));
        }
        int split = path.indexOf('/');
        if (split <= 0 || split == path.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new Artifact(path.substring(0, split), path.substring(split + 1)));
    }

    static URI uri(String base, Artifact artifact, String digest) {
        String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        String repository = URLEncoder.encode(URLEncoder.encode(artifact.repository(), StandardCharsets.UTF_8),
                StandardCharsets.UTF_8);
        return URI.create(root + "/api/v2.0/projects/" + URLEncoder.encode(artifact.project(), StandardCharsets.UTF_8)
                + "/repositories/" + repository + "/artifacts/" + digest + "/additions/vulnerabilities");
    }

    private static Optional<String> authorization(RelayProperties.Harbor config) throws IOException {
        if (config.usernameFile() == null && config.passwordFile() == null) {
            return Optional.empty();
        }
        if (config.usernameFile() == null || config.passwordFile() == null) {
            throw new IOException("set both harbor.username-file and harbor.password-file");
        }
        String username = readSecret(config.usernameFile());
        String password = readSecret(config.passwordFile());
        return Optional.of("Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private static String readSecret(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IOException(file + " is not readable (" + e.getClass().getSimpleName() + ")");
        }
    }
}
