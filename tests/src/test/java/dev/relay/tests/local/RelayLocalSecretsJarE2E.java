package dev.relay.tests.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.shared.testing.CloudEventHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grep for secrets: the relay-local jar runs with webhook secrets from files (and the sandbox's own approver token and
 * approval signing key), receives signed, wrongly signed and unsigned webhooks, refused and accepted approvals, and
 * bumps production on one of them; no secret value appears in any line it printed, any HTTP answer it gave, or any
 * commit of the config repository.
 */
class RelayLocalSecretsJarE2E {

    private static final Path JAR = Path.of("..", "functions", "relay-local", "target", "relay-local-exec.jar")
            .toAbsolutePath().normalize();
    private static final String GITHUB_SECRET = "gh-jar-secret-31d4c0ffee";
    private static final String GITLAB_TOKEN = "gl-jar-token-9f8e7d6c5b";
    private static final String DIGEST = "sha256:" + "c3".repeat(32);

    @TempDir
    Path workDir;

    private Process relay;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final List<String> answers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (relay != null) {
            relay.destroy();
            if (!relay.waitFor(20, TimeUnit.SECONDS)) {
                relay.destroyForcibly();
            }
        }
    }

    @Test
    void noSecretReachesALogLineAnAnswerOrACommit() throws Exception {
        assertThat(JAR).as("relay-local jar (built by the reactor before this module)").exists();
        Path github = Files.writeString(workDir.resolve("github.secret"), GITHUB_SECRET + "\n");
        Path gitlab = Files.writeString(workDir.resolve("gitlab.secret"), GITLAB_TOKEN + "\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        relay = new ProcessBuilder(java, "-jar", JAR.toString(), "--server.port=0",
                "--relay.ingress.providers.github.secret-file=" + github,
                "--relay.ingress.providers.gitlab.secret-file=" + gitlab,
                "--logging.level.dev.relay=DEBUG")
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        CompletableFuture.runAsync(this::pumpOutput);
        await().atMost(Duration.ofSeconds(120)).until(() -> output.stream().anyMatch(line ->
                line.contains("/approvals -H")) || !relay.isAlive());
        assertThat(relay.isAlive()).as(String.join("\n", output)).isTrue();
        int port = output.stream().filter(line -> line.contains("Relay is running on")).findFirst()
                .map(line -> Integer.parseInt(line.replaceFirst(".*http://127\\.0\\.0\\.1:(\\d+).*", "$1")))
                .orElseThrow();
        Path sandbox = workDir.resolve(".relay");
        String approverToken = Files.readString(sandbox.resolve("secrets/approvers/local")).trim();
        String signingKey = Files.readString(sandbox.resolve("secrets/approval-signing-key")).trim();
        assertThat(output).as("the startup names unauthenticated producers")
                .anyMatch(line -> line.contains("WARN") && line.contains("WITHOUT authentication"));

        byte[] push = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + "1".repeat(40) + "\",\"before\":\""
                + "0".repeat(40) + "\",\"repository\":{\"clone_url\":\"https://example.com/other.git\"},"
                + "\"pusher\":{\"name\":\"someone\"}}").getBytes(StandardCharsets.UTF_8);
        post(port, "/webhooks/github", github("sha256=" + hmac(GITHUB_SECRET, push)), push);
        assertThat(post(port, "/webhooks/github", github("sha256=" + hmac(GITHUB_SECRET + "x", push)), push)
                .status()).isEqualTo(401);
        assertThat(post(port, "/webhooks/gitlab", Map.of("Content-Type", "application/json", "X-Gitlab-Event",
                "Push Hook", "X-Gitlab-Token", GITLAB_TOKEN + "-wrong"), "{}".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(401);
        assertThat(approve(port, "Bearer " + approverToken + "0").status()).isEqualTo(401);
        assertThat(approve(port, "Bearer " + approverToken).status()).as("nothing is pending yet").isEqualTo(403);

        Path configRepo = sandbox.resolve("config.git");
        recordStagingVerification(configRepo);
        CloudEventHttp.Answer approved = approve(port, "Bearer " + approverToken);
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(git(configRepo, "log", "-1", "--format=%B", "main"))
                .startsWith("bump(web-app/production)").contains("Relay-Approved-By: local");
        String events = CloudEventHttp.get(URI.create("http://127.0.0.1:" + port + "/broker/events")).text();
        answers.add(events);

        String commits = git(configRepo, "log", "--all", "-p", "--format=%H%n%B");
        for (String secret : List.of(GITHUB_SECRET, GITLAB_TOKEN, approverToken, signingKey)) {
            assertThat(output).as("log lines").noneMatch(line -> line.contains(secret));
            assertThat(answers).as("HTTP answers").noneMatch(answer -> answer.contains(secret));
            assertThat(commits).as("commits").doesNotContain(secret);
        }
    }

    private void recordStagingVerification(Path configRepo) throws Exception {
        Path clone = workDir.resolve("clone");
        run(List.of("git", "clone", "-q", configRepo.toString(), clone.toString()));
        Path ledger = Files.createDirectories(clone.resolve(".relay/verified/web-app")).resolve("staging.yaml");
        Files.writeString(ledger, "app: web-app\nenvironment: staging\ndigest: " + DIGEST + "\n");
        run(List.of("git", "-C", clone.toString(), "add", "."));
        run(List.of("git", "-C", clone.toString(), "-c", "user.name=test", "-c", "user.email=test@localhost",
                "commit", "-q", "-m", "verified(web-app/staging): 1.2.0", "-m",
                "Relay-App: web-app\nRelay-Environment: staging\nRelay-Verified-Image: localhost:5000/web-app:1.2.0\n"
                        + "Relay-Verified-Digest: " + DIGEST));
        run(List.of("git", "-C", clone.toString(), "push", "-q", "origin", "HEAD:main"));
    }

    private CloudEventHttp.Answer approve(int port, String authorization) {
        return post(port, "/approvals", Map.of("Content-Type", "application/json", "Authorization", authorization),
                ("{\"app\":\"web-app\",\"environment\":\"production\",\"digest\":\"" + DIGEST + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private CloudEventHttp.Answer post(int port, String path, Map<String, String> headers, byte[] body) {
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + path), headers,
                body);
        answers.add(answer.headers() + "\n" + answer.text());
        return answer;
    }

    private static Map<String, String> github(String signature) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-GitHub-Event", "push");
        headers.put("X-GitHub-Delivery", java.util.UUID.randomUUID().toString());
        headers.put("X-Hub-Signature-256", signature);
        return headers;
    }

    private static String hmac(String secret, byte[] body) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    private void pumpOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.add(line);
                System.out.println("[relay-local] " + line);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static String git(Path bareRepo, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + bareRepo));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s\n%s", command, out).isZero();
        return out;
    }
}
