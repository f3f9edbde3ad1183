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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's promise, from the outside: the relay-local jar starts on its embedded defaults, prints a curl
 * command, and that curl makes exactly one one-line commit in the sandbox config repository; sending it again
 * changes nothing. The second printed curl (a git push of the sample app) builds an OCI image with the local
 * builder and the chain carries its digest in dev.relay.image.pushed.
 */
class RelayLocalJarE2E {

    private static final Path JAR = Path.of("..", "functions", "relay-local", "target", "relay-local-exec.jar")
            .toAbsolutePath().normalize();
    private static final String OVERLAY = "apps/web-app/overlays/development/kustomization.yaml";

    @TempDir
    Path workDir;

    private Process relay;
    private final LinkedBlockingQueue<String> output = new LinkedBlockingQueue<>();

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
    void printedCurlsBumpOnceRedeliverNothingAndBuildTheSampleApp() throws Exception {
        assertThat(JAR).as("relay-local jar (built by the reactor before this module)").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        relay = new ProcessBuilder(java, "-jar", JAR.toString(), "--server.port=0")
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        CompletableFuture.runAsync(this::pumpOutput);

        String curl = awaitLine(line -> line.trim().startsWith("curl ") && line.contains("dev.relay.scan.passed"),
                Duration.ofSeconds(90)).trim();
        String pushCurl = awaitLine(line -> line.trim().startsWith("curl ") && line.contains("dev.relay.git.pushed"),
                Duration.ofSeconds(30)).trim();
        int port = Integer.parseInt(curl.replaceFirst(".*http://127\\.0\\.0\\.1:(\\d+)/broker.*", "$1"));
        Path configRepo = workDir.resolve(".relay/config.git");
        assertThat(commitCount(configRepo)).isEqualTo(1);

        assertThat(runShell(curl)).contains("202");
        await().atMost(Duration.ofSeconds(60)).until(() -> commitCount(configRepo) == 2);
        String head = git(configRepo, "rev-parse", "main").trim();
        assertThat(git(configRepo, "diff", "--numstat", "main~1", "main").trim().lines())
                .as("one changed line in the overlay, and the environment's applied record")
                .contains("1\t1\t" + OVERLAY)
                .anyMatch(line -> line.endsWith("\t.relay/applied/web-app/development.yaml"))
                .hasSize(2);
        assertThat(git(configRepo, "log", "-1", "--format=%s%n%b", "main"))
                .contains("bump(web-app/development): 0.1.0 -> 1.1.0")
                .contains("Relay-Event-Id: demo-1-1-0")
                .contains("Relay-Environment: development");
        URI events = URI.create("http://127.0.0.1:" + port + "/broker/events");
        await().atMost(Duration.ofSeconds(30)).until(() -> bumpedCommits(events).contains(head));

        assertThat(runShell(curl)).contains("202");
        await().atMost(Duration.ofSeconds(30)).until(() -> countOfType(events, "dev.relay.manifest.unchanged") == 1);
        assertThat(commitCount(configRepo)).isEqualTo(2);
        assertThat(git(configRepo, "rev-parse", "main").trim()).isEqualTo(head);

        assertThat(runShell(pushCurl)).contains("202");
        await().atMost(Duration.ofSeconds(90)).until(() -> countOfType(events, "dev.relay.image.pushed") == 1);
        Map<String, Object> pushed = dataOf(events, "dev.relay.image.pushed");
        String sourceHead = git(workDir.resolve(".relay/web-app-src.git"), "rev-parse", "main").trim();
        assertThat(pushed).containsEntry("image", "localhost:5000/web-app")
                .containsEntry("tag", sourceHead.substring(0, 7)).containsEntry("sourceCommit", sourceHead);
        assertThat((String) pushed.get("digest")).matches("sha256:[0-9a-f]{64}");
        Path tarball = workDir.resolve(".relay/images/web-app-" + sourceHead.substring(0, 7) + ".tar");
        assertThat(pushed.get("registry")).isEqualTo("oci-archive:" + tarball);
        assertThat(run(List.of("tar", "-tf", tarball.toString()))).contains("index.json", "blobs/sha256/");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dataOf(URI uri, String type) {
        return events(uri).stream().filter(e -> type.equals(e.get("type")))
                .map(e -> (Map<String, Object>) e.get("data")).findFirst().orElseThrow();
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

    private String awaitLine(java.util.function.Predicate<String> wanted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = output.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
                if (wanted.test(line)) {
                    return line;
                }
            }
            if (!relay.isAlive() && output.isEmpty()) {
                break;
            }
        }
        throw new AssertionError("relay-local did not print the expected line; output:\n" + String.join("\n", seen));
    }

    private static List<Map<String, Object>> events(URI uri) {
        CloudEventHttp.Answer answer = CloudEventHttp.get(uri);
        assertThat(answer.status()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = dev.relay.shared.events.EventPayloads.mapper().readValue(answer.body(),
                List.class);
        return list;
    }

    @SuppressWarnings("unchecked")
    private static List<String> bumpedCommits(URI uri) {
        return events(uri).stream()
                .filter(e -> "dev.relay.manifest.bumped".equals(e.get("type")))
                .map(e -> String.valueOf(((Map<String, Object>) e.get("data")).get("commit")))
                .toList();
    }

    private static long countOfType(URI uri, String type) {
        return events(uri).stream().filter(e -> type.equals(e.get("type"))).count();
    }

    private int commitCount(Path bareRepo) throws Exception {
        return Integer.parseInt(git(bareRepo, "rev-list", "--count", "main").trim());
    }

    private static String git(Path bareRepo, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + bareRepo));
        command.addAll(List.of(args));
        return run(command);
    }

    private String runShell(String commandLine) throws Exception {
        return run(List.of("bash", "-c", commandLine));
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s\n%s", command, out).isZero();
        return out;
    }
}
