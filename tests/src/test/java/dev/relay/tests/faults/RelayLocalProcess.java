package dev.relay.tests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relay-local jar as an operator runs it: a separate process on a loopback port of its choosing, with a work
 * directory that outlives it, stopped with SIGTERM or killed with SIGKILL.
 */
final class RelayLocalProcess implements AutoCloseable {

    static final Path JAR = Path.of("..", "functions", "relay-local", "target", "relay-local-exec.jar")
            .toAbsolutePath().normalize();
    private static final Pattern STARTED = Pattern.compile("Tomcat started on port (\\d+)");
    private static final Pattern CURL_PORT = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/broker");
    private static final int TAIL_LINES = 200;

    private final Process process;
    private final Deque<String> tail = new ArrayDeque<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final CompletableFuture<Void> outputEnded = new CompletableFuture<>();

    private final Path log;

    private RelayLocalProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread pump = new Thread(this::pump, "relay-local-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts the jar in {@code directory} (its sandbox lands in {@code directory/.relay}) and waits for its port;
     * its whole output goes to {@code target/faults/relay-local-<pid>.log}.
     */
    static RelayLocalProcess start(Path directory, List<String> arguments) throws Exception {
        assertThat(JAR).as("relay-local jar (built by the reactor before this module)").exists();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-Xmx512m", "-jar", JAR.toString(), "--server.port=0",
                "--server.address=127.0.0.1", "--logging.level.dev.relay.local.broker.Dispatcher=WARN"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        Path logs = Files.createDirectories(Path.of("target", "faults"));
        RelayLocalProcess relay = new RelayLocalProcess(process, logs.resolve("relay-local-" + process.pid() + ".log"));
        relay.awaitPort(Duration.ofSeconds(180));
        return relay;
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                file.write(line);
                file.write('\n');
                Matcher started = STARTED.matcher(line);
                Matcher curl = CURL_PORT.matcher(line);
                if (started.find()) {
                    port.complete(Integer.parseInt(started.group(1)));
                } else if (curl.find()) {
                    port.complete(Integer.parseInt(curl.group(1)));
                }
                if (line.contains("embedded broker") || line.contains("broker journal")) {
                    System.out.println("[relay-local " + process.pid() + "] " + line);
                }
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        } finally {
            port.completeExceptionally(new IllegalStateException("relay-local exited before it listened"));
            outputEnded.complete(null);
        }
    }

    private void awaitPort(Duration timeout) {
        try {
            port.get(timeout.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("relay-local did not start (output in " + log + "): " + e + "\n" + tail(), e);
        }
    }

    int port() {
        return port.join();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * SIGKILL: no shutdown hook, no drain. Through the {@link ProcessHandle}, which, unlike {@link Process#destroy},
     * leaves the output pipe open so the last lines are still read.
     */
    void kill() throws Exception {
        process.toHandle().destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        outputEnded.get(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: Spring's graceful shutdown, the broker drains. */
    void terminate() throws Exception {
        process.toHandle().destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("relay-local did not stop within 60 s of SIGTERM\n" + tail());
        }
        outputEnded.get(30, TimeUnit.SECONDS);
        assertThat(process.exitValue()).as("exit status after SIGTERM (128 + 15)").isEqualTo(143);
    }

    Path log() {
        return log;
    }

    String tail() {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
