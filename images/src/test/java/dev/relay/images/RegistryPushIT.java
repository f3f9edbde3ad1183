package dev.relay.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.JibContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code -Drelay.image.registry} pushes the same image the tarball holds: pushed to a real registry (Debian's
 * {@code docker-registry} on loopback, plain HTTP), the manifest the registry serves has the tarball's digest.
 * Skipped with a message when the registry binary or the built image is missing.
 */
class RegistryPushIT {

    private static final Path REGISTRY = Path.of("/usr/bin/docker-registry");
    private static final ImageSettings SETTINGS = ImageSettings.fromSystemProperties();

    private Process registry;

    @Test
    void pushedImageIsTheTarballsImage() throws Exception {
        assumeTrue(Files.isExecutable(REGISTRY), REGISTRY + " is not installed (Debian package docker-registry): "
                + "push check skipped");
        String function = SETTINGS.functions().get(0);
        Path tarball = SETTINGS.tarball(function);
        assumeTrue(Files.isRegularFile(tarball), "no image tarball " + tarball + ": run mvn -B package -Pimages");

        Path dir = SETTINGS.work().resolve("registry-check");
        Dirs.deleteRecursively(dir);
        Files.createDirectories(dir);
        int port = AotTraining.freePort();
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("storage"), port));
        registry = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            assertThat(registry.isAlive()).as("docker-registry exited").isTrue();
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });

        String reference = "127.0.0.1:" + port + "/relay/" + function + ":" + SETTINGS.tag();
        JibContainer pushed = FunctionImage.push(BuildImages.image(SETTINGS, function), reference,
                BuildImages.jibCache(SETTINGS));

        String tarballDigest = new ObjectMapper().readTree(
                        Files.readString(OciTarball.open(tarball, dir.resolve("oci")).indexJson()))
                .path("manifests").path(0).path("digest").asText();
        HttpResponse<Void> manifest = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/v2/relay/" + function + "/manifests/" + SETTINGS.tag()))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Docker-Content-Digest")).hasValue(tarballDigest);
        assertThat(pushed.getDigest().toString()).isEqualTo(tarballDigest);
    }

    @AfterEach
    void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.destroy();
            if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                registry.destroyForcibly();
            }
        }
    }
}
