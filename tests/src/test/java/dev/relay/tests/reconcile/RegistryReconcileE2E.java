package dev.relay.tests.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import dev.relay.tests.support.BrokerEventLog;
import dev.relay.tests.support.ChainFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Reconcile repairs a missed event (issue 15): a real image is pushed with jib-core to Debian's
 * {@code docker-registry} on loopback, whose notifications go nowhere (the webhook is suppressed); relay-local's
 * reconcile timer ticks every second, on-image-scan lists the registry's tags, finds the first environment lacking the
 * newest one and posts {@code dev.relay.image.pushed reconcile-<app>-<digest>}; the normal chain scans and bumps it.
 * Then a reconcile races the real {@code image.pushed} of the next image: one bump commit.
 */
@SpringBootTest(classes = RelayLocalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false", "relay.local.reconcile.interval=1s"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryReconcileE2E {

    static final Path REGISTRY = Path.of("/usr/bin/docker-registry");
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final String APP = "demo";
    static final Path WORK = ChainFixtures.tempDir("relay-reconcile");
    static final int REGISTRY_PORT = freePort();
    static final String HOST = "127.0.0.1:" + REGISTRY_PORT;
    static final String IMAGE = HOST + "/team/demo";
    static final String OVERLAY = "apps/demo/overlays/development/kustomization.yaml";
    static final Path REMOTE = TempGitRepos.createBare(WORK, "config", Map.of(OVERLAY, """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - ../../base
            images:
              - name: %s
                newTag: "0.1.0"
            """.formatted(IMAGE)));

    static Process registry;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void pipeline(DynamicPropertyRegistry registry) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("relay.git.cache-dir", WORK.resolve("cache").toString());
        ChainFixtures.verifiedPipeline(properties, APP, IMAGE, TempGitRepos.fileUrl(REMOTE),
                List.of("development", "staging"), env -> "apps/demo/overlays/" + env + "/kustomization.yaml",
                ChainFixtures.trivyPrinting(WORK, "alpine-310.json.golden"));
        properties.put("relay.pipelines." + APP + ".tags.order", "semver");
        properties.put("relay.reconcile.plain-http-registries[0]", HOST);
        properties.forEach((key, value) -> registry.add(key, () -> value));
    }

    @BeforeAll
    static void startRegistry() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(REGISTRY), REGISTRY + " is not installed (Debian package "
                + "docker-registry; .ci/run installs it): the reconcile test is skipped");
        Path config = Files.writeString(WORK.resolve("registry.yml"), """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                """.formatted(WORK.resolve("storage"), HOST));
        registry = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(WORK.resolve("registry.log").toFile()).start();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> {
            assertThat(registry.isAlive()).as("docker-registry exited: %s", registryLog()).isTrue();
            return CloudEventHttp.get(URI.create("http://" + HOST + "/v2/")).status() == 200;
        });
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (registry != null) {
            registry.destroy();
            if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                registry.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        TempGitRepos.deleteTree(WORK);
    }

    @Test
    @Order(1)
    void anImagePushedWithoutAWebhookReachesTheFirstEnvironmentOnATick() throws Exception {
        String digest = push("1.0.0", "first");

        await().atMost(TIMEOUT).until(() -> bumpsOf(digest).size() == 1);
        RevCommit bump = bumpsOf(digest).get(0);
        assertThat(bump.getShortMessage()).isEqualTo("bump(demo/development): 0.1.0 -> 1.0.0");
        assertThat(bump.getFooterLines("Relay-Trace")).containsExactly("reconcile-demo-" + digest);
        assertThat(manifest()).contains(digest);
        assertThat(events()).filteredOn(e -> RelayEventTypes.IMAGE_PUSHED.equals(e.get("type")))
                .extracting(e -> e.get("id")).containsExactly("reconcile-demo-" + digest);

        // later ticks find the environment up to date: no second repair, no second commit
        long ticks = completedTicks();
        await().atMost(TIMEOUT).until(() -> completedTicks() >= ticks + 2);
        assertThat(bumpsOf(digest)).hasSize(1);
        assertThat(lastSummary()).containsEntry("upToDate", List.of(APP));
    }

    @Test
    @Order(2)
    void aReconcileRacingTheRealEventYieldsOneCommit() throws Exception {
        String digest = push("1.1.0", "second");
        String realId = "distribution-race-" + digest.substring(7, 19);

        CompletableFuture<CloudEventHttp.Answer> tick = CompletableFuture.supplyAsync(() -> CloudEventHttp.post(
                URI.create(base() + "/on-image-scan"), CloudEventHttp.event(RelayEventTypes.RECONCILE_TICK,
                        Map.of()).withId("tick-race").build()));
        CloudEventHttp.Answer real = CloudEventHttp.post(URI.create(base() + "/broker"),
                CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED,
                        new Payloads.ImagePushed(IMAGE, "1.1.0", digest, HOST, null)).withId(realId).build());
        assertThat(real.status()).isEqualTo(202);
        assertThat(tick.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);

        String repairId = "reconcile-demo-" + digest;
        await().atMost(TIMEOUT).until(() -> outcomeOf(realId) != null);
        await().atMost(TIMEOUT).until(() -> !hasEvent(RelayEventTypes.IMAGE_PUSHED, repairId)
                || outcomeOf(repairId) != null);
        assertThat(bumpsOf(digest)).hasSize(1);
        assertThat(manifest()).contains(digest);
        assertThat(TempGitRepos.log(REMOTE, "main")).filteredOn(c -> c.getShortMessage().contains("1.1.0"))
                .hasSize(1);
        if (hasEvent(RelayEventTypes.IMAGE_PUSHED, repairId)) {
            assertThat(List.of(outcomeOf(realId), outcomeOf(repairId))).containsExactlyInAnyOrder(
                    RelayEventTypes.MANIFEST_BUMPED, RelayEventTypes.MANIFEST_UNCHANGED);
        }
    }

    @Test
    @Order(3)
    void anUnreachableRegistryIsAnErrorAnswerNamingIt() throws Exception {
        registry.destroy();
        assertThat(registry.waitFor(30, TimeUnit.SECONDS)).isTrue();

        CloudEventHttp.Answer answer = CloudEventHttp.post(URI.create(base() + "/on-image-scan"),
                CloudEventHttp.event(RelayEventTypes.RECONCILE_TICK, Map.of()).withId("tick-down").build());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.ceType()).isEqualTo(RelayEventTypes.RECONCILE_ERRORED);
        assertThat(answer.text()).contains(APP).contains("http://" + HOST + "/v2/team/demo/tags/list")
                .contains("unreachable");
    }

    private String push(String tag, String content) throws Exception {
        Path file = Files.writeString(WORK.resolve(content + ".txt"), content + "\n", StandardCharsets.UTF_8);
        return Jib.fromScratch().addLayer(List.of(file), AbsoluteUnixPath.get("/app"))
                .setEntrypoint("/app/" + content + ".txt")
                .containerize(Containerizer.to(RegistryImage.named(IMAGE + ":" + tag))
                        .setAllowInsecureRegistries(true)
                        .setBaseImageLayersCache(WORK.resolve("jib-cache/base"))
                        .setApplicationLayersCache(WORK.resolve("jib-cache/application")))
                .getDigest().toString();
    }

    private static List<RevCommit> bumpsOf(String digest) {
        return TempGitRepos.log(REMOTE, "main").stream()
                .filter(c -> c.getShortMessage().startsWith("bump(demo/development)"))
                .filter(c -> c.getFooterLines("Relay-Image-Digest").contains(digest))
                .toList();
    }

    /** The type of the bump's answer to the chain started by {@code trace}, or null while there is none. */
    private String outcomeOf(String trace) {
        return events().stream().filter(e -> trace.equals(traceOf(e)))
                .map(e -> String.valueOf(e.get("type")))
                .filter(t -> t.equals(RelayEventTypes.MANIFEST_BUMPED) || t.equals(RelayEventTypes.MANIFEST_UNCHANGED))
                .findFirst().orElse(null);
    }

    private boolean hasEvent(String type, String id) {
        return events().stream().anyMatch(e -> type.equals(e.get("type")) && id.equals(e.get("id")));
    }

    private long completedTicks() {
        return events().stream().filter(e -> RelayEventTypes.RECONCILE_COMPLETED.equals(e.get("type"))).count();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> lastSummary() {
        List<Map<String, Object>> completed = events().stream()
                .filter(e -> RelayEventTypes.RECONCILE_COMPLETED.equals(e.get("type"))).toList();
        return (Map<String, Object>) completed.get(completed.size() - 1).get("data");
    }

    private List<Map<String, Object>> events() {
        return BrokerEventLog.events(base(), 500);
    }

    @SuppressWarnings("unchecked")
    private static String traceOf(Map<String, Object> event) {
        return String.valueOf(((Map<String, Object>) event.get("extensions")).get(RelayExtensions.TRACE));
    }

    private static String manifest() {
        return TempGitRepos.read(REMOTE, "main", OVERLAY).orElseThrow();
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static String registryLog() {
        try {
            return Files.readString(WORK.resolve("registry.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
