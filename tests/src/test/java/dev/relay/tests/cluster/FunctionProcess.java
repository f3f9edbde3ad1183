package dev.relay.tests.cluster;

import dev.relay.shared.testing.CloudEventHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One function's executable jar ({@code functions/<name>/target/<name>-*-exec.jar}, built by the reactor's
 * {@code package} before this module) running as its own process with exactly the environment and args of its
 * {@link ServicePod} plus what a cluster provides ({@code wiring}: the port, K_SINK, the Kubernetes API). Its
 * stdout and stderr go to {@code <logDir>/<name>.log}.
 */
final class FunctionProcess implements AutoCloseable {

    /** Cheap start-up for six JVMs on a small shared machine: the C1 compiler only, class data sharing, small heap. */
    static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC",
            "-Xss512k", "-Xmx256m");

    private final String name;
    private final Process process;
    private final Path log;
    private final int port;

    private FunctionProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static Path jar(Path repoRoot, String function) throws IOException {
        Path target = repoRoot.resolve("functions").resolve(function).resolve("target");
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> found = Files.newDirectoryStream(target, function + "-*-exec.jar")) {
                found.forEach(jars::add);
            }
        }
        if (jars.size() != 1) {
            throw new IllegalStateException("expected one " + target + "/" + function + "-*-exec.jar (built by the "
                    + "reactor's package phase before the tests module), found " + jars);
        }
        return jars.get(0);
    }

    static FunctionProcess start(ServicePod pod, Path jar, Map<String, String> wiring, Path logDir)
            throws IOException {
        int port = wiring.containsKey("PORT") ? Integer.parseInt(wiring.get("PORT")) : freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(pod.args());
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.putAll(pod.env());
        env.putAll(wiring);
        env.put("PORT", Integer.toString(port));
        env.put("SERVER_PORT", Integer.toString(port));
        Files.createDirectories(logDir);
        Path log = logDir.resolve(pod.name() + ".log");
        builder.directory(Files.createDirectories(pod.root()).toFile());
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return new FunctionProcess(pod.name(), builder.start(), log, port);
    }

    String name() {
        return name;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Waits (bounded) for {@code /actuator/health} to answer 200, as Knative's readiness probe would. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(60));
            }
            try {
                if (CloudEventHttp.get(url().resolve("/actuator/health")).status() == 200) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + ":\n" + tail(60));
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
