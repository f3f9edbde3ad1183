package dev.relay.tests.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.shared.testing.CloudEventHttp;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Debian's {@code docker-registry} (the CNCF Distribution registry) on loopback, storing in a temp directory. */
final class ContainerRegistry implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    private final Path log;
    private final int port;

    private ContainerRegistry(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static ContainerRegistry start(Path work, Path logDir) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(BINARY), BINARY + " is not installed (Debian package docker-registry; "
                + ".ci/run installs it): the cluster-mode test needs a real registry and is skipped");
        int port = FunctionProcess.freePort();
        Path config = Files.writeString(Files.createDirectories(work).resolve("registry.yml"), """
                version: 0.1
                log:
                  level: info
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(work.resolve("storage"), port));
        Path log = Files.createDirectories(logDir).resolve("docker-registry.log");
        Process process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ContainerRegistry registry = new ContainerRegistry(process, log, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(log));
            }
            try {
                if (CloudEventHttp.get(URI.create("http://127.0.0.1:" + port + "/v2/")).status() == 200) {
                    return registry;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        registry.close();
        throw new IllegalStateException("docker-registry did not answer /v2/ within 60 s");
    }

    /** {@code 127.0.0.1:<port>}, the registry part of image references. */
    String host() {
        return "127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
