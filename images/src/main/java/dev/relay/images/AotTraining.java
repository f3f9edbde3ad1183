package dev.relay.images;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Trains a function's AOT cache at image build time: starts it on the image's runtime with the entrypoint's
 * flags and {@code -XX:AOTCacheOutput}, answers the function's probe event and the health endpoints, then
 * sends SIGTERM to the JVM itself, which writes the cache as it exits.
 */
final class AotTraining {

    static final int REQUESTS = 20;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private AotTraining() {
    }

    static Path train(Path runtime, ExtractedApp app, Path workDir) throws IOException, InterruptedException {
        Path cache = app.dir().resolve("app.aot");
        Files.deleteIfExists(cache);
        Path relayYaml = workDir.resolve("relay.yaml");
        Files.writeString(relayYaml, Probe.RELAY_YAML);
        Path log = workDir.resolve("training.log");
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(runtime.resolve("bin/java").toString());
        command.add("-XX:AOTCacheOutput=" + cache);
        command.addAll(Entrypoint.JVM_FLAGS);
        command.add(Entrypoint.TRAINING_MEMORY);
        command.addAll(List.of("-jar", app.jar().toString(), "--server.port=" + port,
                "--server.address=127.0.0.1", "--spring.config.import=optional:file:" + relayYaml));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("RELAY_CONFIG", relayYaml.toString());
        builder.environment().put("K_SINK", "http://127.0.0.1:9/relay-images-sink");
        Process jvm = builder.start();
        try {
            Probe probe = Probe.of(app.function());
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            int first = firstAnswer(http, jvm, port, probe, log);
            if (first != probe.expectedStatus()) {
                throw new IOException(app.function() + " answered the probe with " + first + ", expected "
                        + probe.expectedStatus() + "; see " + log);
            }
            for (int i = 0; i < REQUESTS; i++) {
                send(http, port, probe);
            }
            for (String path : List.of("/actuator/health", "/actuator/health/readiness",
                    "/actuator/health/liveness")) {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 200) {
                    throw new IOException(app.function() + " answered " + path + " with " + status + "; see " + log);
                }
            }
        } finally {
            jvm.destroy();
            if (!jvm.waitFor(3, TimeUnit.MINUTES)) {
                jvm.destroyForcibly();
            }
        }
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IOException("training of " + app.function() + " wrote no AOT cache (exit " + jvm.exitValue()
                    + "); see " + log);
        }
        Files.setLastModifiedTime(cache, java.nio.file.attribute.FileTime.from(FixedTimes.INSTANT));
        return cache;
    }

    private static int firstAnswer(HttpClient http, Process jvm, int port, Probe probe, Path log)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!jvm.isAlive()) {
                throw new IOException("the JVM exited with " + jvm.exitValue() + " before answering; see " + log);
            }
            try {
                return send(http, port, probe);
            } catch (ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no answer within " + START_TIMEOUT + "; see " + log);
                }
                Thread.sleep(50);
            }
        }
    }

    static int send(HttpClient http, int port, Probe probe) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe.path()))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(probe.body()));
        probe.headers().forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
