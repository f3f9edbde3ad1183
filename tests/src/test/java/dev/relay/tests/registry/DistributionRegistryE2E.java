package dev.relay.tests.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.testing.CloudEventHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The distribution adapter against a real registry: Debian's {@code docker-registry} (installed by {@code .ci/run})
 * runs on loopback with a notifications endpoint pointing at webhook-ingress in relay-local; jib-core pushes a real
 * image to it; the registry's notifications (two blob pushes, one manifest push) must yield exactly one
 * {@code dev.relay.image.pushed} on the embedded broker, with the digest the registry computed.
 */
@SpringBootTest(classes = RelayLocalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false",
                "relay.ingress.providers.distribution.secret=" + DistributionRegistryE2E.TOKEN})
class DistributionRegistryE2E {

    static final String TOKEN = "registry-e2e-token-6c1f";
    static final Path REGISTRY = Path.of("/usr/bin/docker-registry");
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @LocalServerPort
    int relayPort;

    @TempDir
    Path work;

    Process registry;
    int registryPort;

    @BeforeEach
    void startRegistry() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(REGISTRY), REGISTRY + " is not installed (Debian package "
                + "docker-registry; .ci/run installs it): the real-registry test is skipped");
        registryPort = freePort();
        Path config = work.resolve("config.yml");
        Files.writeString(config, """
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
                notifications:
                  endpoints:
                    - name: relay
                      url: http://127.0.0.1:%d/webhooks
                      headers:
                        Authorization: [Bearer %s]
                      timeout: 2s
                      threshold: 3
                      backoff: 500ms
                """.formatted(work.resolve("storage"), registryPort, relayPort, TOKEN));
        registry = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("registry.log").toFile())
                .start();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> {
            assertThat(registry.isAlive()).as("docker-registry exited: %s", registryLog()).isTrue();
            return CloudEventHttp.get(URI.create("http://127.0.0.1:" + registryPort + "/v2/")).status() == 200;
        });
    }

    @AfterEach
    void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.destroy();
            if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                registry.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldForwardARealManifestPushAsImagePushedWithTheRegistrysDigest() throws Exception {
        String repository = "127.0.0.1:" + registryPort + "/team/demo";
        Path content = Files.writeString(work.resolve("hello.txt"), "hello from relay\n", StandardCharsets.UTF_8);

        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(content), AbsoluteUnixPath.get("/app"))
                .setEntrypoint("/app/hello.txt")
                .containerize(Containerizer.to(RegistryImage.named(repository + ":1.0.0"))
                        .setAllowInsecureRegistries(true)
                        .setBaseImageLayersCache(work.resolve("jib-cache/base"))
                        .setApplicationLayersCache(work.resolve("jib-cache/application")));
        String digest = pushed.getDigest().toString();

        await().atMost(TIMEOUT).until(() -> !imagePushed(repository).isEmpty());
        List<Map<String, Object>> events = imagePushed(repository);
        assertThat(events).hasSize(1);
        Map<String, Object> event = events.get(0);
        assertThat(event.get("source")).isEqualTo("/relay/webhook-ingress");
        assertThat((String) event.get("id")).startsWith("distribution-");
        assertThat(data(event)).containsEntry("image", repository).containsEntry("tag", "1.0.0")
                .containsEntry("digest", digest).containsEntry("registry", "127.0.0.1:" + registryPort);

        // the layer and config blob pushes were notified too, and ingress ignored them: nothing else was forwarded
        await().atMost(TIMEOUT).until(() -> ignoredRegistryPushes() >= 1);
        assertThat(imagePushed(repository)).hasSize(1);
        assertThat(events()).filteredOn(e -> String.valueOf(e.get("id")).startsWith("distribution-"))
                .extracting(e -> data(e).get("digest")).containsExactly(digest);
    }

    private List<Map<String, Object>> imagePushed(String repository) {
        return events().stream().filter(e -> "dev.relay.image.pushed".equals(e.get("type"))
                && repository.equals(data(e).get("image"))).toList();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> events() {
        CloudEventHttp.Answer answer = CloudEventHttp.get(URI.create("http://127.0.0.1:" + relayPort
                + "/broker/events"));
        return EventPayloads.mapper().readValue(answer.body(), List.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Map<String, Object> event) {
        return (Map<String, Object>) event.get("data");
    }

    /** Webhook-ingress's count of authenticated registry notifications answered 2xx with nothing forwarded. */
    private double ignoredRegistryPushes() {
        String metrics = CloudEventHttp.get(URI.create("http://127.0.0.1:" + relayPort + "/actuator/prometheus"))
                .text();
        Matcher count = Pattern.compile("relay_events_total\\{function=\"webhook-ingress\",outcome=\"ignored\","
                + "type=\"distribution:push\"} ([0-9.E]+)").matcher(metrics);
        return count.find() ? Double.parseDouble(count.group(1)) : 0;
    }

    private String registryLog() {
        try {
            return Files.readString(work.resolve("registry.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
