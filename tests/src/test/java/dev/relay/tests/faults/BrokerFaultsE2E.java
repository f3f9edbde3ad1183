package dev.relay.tests.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.events.EventPayloads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker under faults, through the relay-local jar as a process (loopback, sandbox work dir):
 * <ul>
 *   <li>a burst of 200 {@code scan.passed} (one per tag) cut by {@code kill -9} at a random point, then by SIGTERM:
 *       after restarts every event answered 202 has exactly one effect in the sandbox config repository (one
 *       commit with its {@code Relay-Event-Id}, or a {@code manifest.unchanged} answer), none lost, none twice;</li>
 *   <li>a 20,000-event burst over 32 connections against a broker allowed 300 pending deliveries, whose
 *       subscriber holds its answers until 2,000 events were sent, so the ingress must refuse some: each event is
 *       refused (503 with Retry-After) or has exactly one outcome;
 *       the deliberately failing ones are dead letters that survive a restart and replay to one delivery.</li>
 * </ul>
 * Scaled for 2 cores: the 20,000 events go to a trivial loopback endpoint in this test (not through Git), and
 * the bursts are bounded in count and time; each phase waits with a bound, never a fixed sleep as a check.
 */
class BrokerFaultsE2E {

    private static final Path PROJECT_TRIGGERS = Path.of("..", "triggers").toAbsolutePath().normalize();
    private static final String IMAGE = "localhost:5000/web-app";
    private static final Duration SETTLE = Duration.ofMinutes(4);

    @TempDir
    Path workDir;

    private HttpServer recorder;
    private final Map<String, AtomicInteger> recorded = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> unchanged = new ConcurrentHashMap<>();
    private volatile boolean endpointBroken = true;
    /** Holds the burst's deliveries until enough events were sent to fill the broker, so it must refuse some. */
    private final CountDownLatch burstGate = new CountDownLatch(1);
    private final AtomicInteger refusedWithRetryAfter = new AtomicInteger();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RelayLocalProcess> processes = new ArrayList<>();

    @BeforeEach
    void recorder() throws IOException {
        recorder = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        recorder.setExecutor(Executors.newFixedThreadPool(8));
        recorder.createContext("/burst", exchange -> {
            awaitGate();
            answer(exchange, recorded, false);
        });
        recorder.createContext("/flaky", exchange -> answer(exchange, recorded, endpointBroken));
        recorder.createContext("/unchanged", exchange -> answer(exchange, unchanged, false));
        recorder.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (RelayLocalProcess process : processes) {
            process.close();
        }
        recorder.stop(0);
    }

    private void awaitGate() {
        try {
            burstGate.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records the event under its {@code relaytrace} (the id of the event that started its chain). */
    private static void answer(HttpExchange exchange, Map<String, AtomicInteger> into, boolean broken)
            throws IOException {
        exchange.getRequestBody().readAllBytes();
        String key = exchange.getRequestHeaders().getFirst("ce-relaytrace");
        if (!broken && key != null) {
            into.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
        exchange.sendResponseHeaders(broken ? 503 : 200, -1);
        exchange.close();
    }

    @Test
    void everyAcceptedScanPassedHasExactlyOneEffectAcrossKillAndTerm() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("BrokerFaultsE2E seed " + seed);
        List<String> arguments = List.of("--relay.local.broker.triggers-dir=" + triggers(List.of()));
        Path configRepo = workDir.resolve(".relay/config.git");
        Set<String> accepted = ConcurrentHashMap.newKeySet();

        RelayLocalProcess first = start(arguments);
        Burst killed = scanPassedBurst(first, "k", 200, accepted);
        killed.awaitAccepted(1 + random.nextInt(150));
        first.kill();
        killed.await();
        // The clone cache stays as the kill left it: a clone or commit cut short is discarded and re-cloned.

        RelayLocalProcess second = start(arguments);
        awaitOneEffectEach(configRepo, accepted);
        Burst terminated = scanPassedBurst(second, "t", 200, accepted);
        terminated.awaitAccepted(1 + random.nextInt(150));
        second.terminate();
        terminated.await();
        System.out.printf("BrokerFaultsE2E: kill -9 burst %d/200 accepted, SIGTERM burst %d/200 accepted%n",
                killed.accepted.size(), terminated.accepted.size());
        assertThat(Files.readString(second.log())).contains("embedded broker stopped");

        start(arguments);
        awaitOneEffectEach(configRepo, accepted);

        assertThat(killed.accepted).as("events accepted before the kill").isNotEmpty();
        Map<String, Long> commits = commitsByEventId(configRepo);
        assertThat(commits.values()).as("commits per Relay-Event-Id").allMatch(count -> count == 1);
        for (String id : accepted) {
            assertThat(commits.containsKey(id) || unchanged.containsKey(id))
                    .as("event %s has an effect", id).isTrue();
        }
        assertThat(git(configRepo, "fsck", "--no-progress")).doesNotContain("error");
    }

    @Test
    void aTwentyThousandEventBurstIsRefusedOrDeliveredOnceAndDeadLettersSurviveARestart() throws Exception {
        List<String> arguments = List.of("--relay.local.broker.triggers-dir=" + triggers(List.of(
                trigger("burst", "dev.relay.test.burst", "/burst", 0),
                trigger("flaky", "dev.relay.test.flaky", "/flaky", 1))),
                "--relay.local.broker.max-pending-deliveries=300");
        RelayLocalProcess relay = start(arguments);
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        ExecutorService senders = Executors.newFixedThreadPool(32);
        List<Future<?>> sent = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        for (int connection = 0; connection < 32; connection++) {
            sent.add(senders.submit(() -> {
                HttpClient own = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                for (int n = next.getAndIncrement(); n < 20_000; n = next.getAndIncrement()) {
                    String type = n % 100 == 0 ? "dev.relay.test.flaky" : "dev.relay.test.burst";
                    String id = "b-" + n;
                    statuses.put(id, send(own, relay, id, type, "{\"n\":" + n + "}"));
                    if (statuses.size() >= 2_000) {
                        burstGate.countDown();
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : sent) {
            future.get(10, TimeUnit.MINUTES);
        }
        senders.shutdown();

        Set<String> acceptedIds = statuses.entrySet().stream().filter(e -> e.getValue() == 202)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Map<Integer, Long> byStatus = statuses.values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        System.out.println("BrokerFaultsE2E: 20,000-event burst answered " + byStatus);
        assertThat(statuses).hasSize(20_000);
        assertThat(byStatus.keySet()).as("only 202 or 503").containsExactlyInAnyOrder(202, 503);
        assertThat(refusedWithRetryAfter.get()).as("503s with Retry-After").isEqualTo(byStatus.get(503).intValue());
        Set<String> acceptedFlaky = acceptedIds.stream().filter(id -> Integer.parseInt(id.substring(2)) % 100 == 0)
                .collect(Collectors.toSet());
        Set<String> acceptedBurst = acceptedIds.stream().filter(id -> !acceptedFlaky.contains(id))
                .collect(Collectors.toSet());
        assertThat(acceptedFlaky).isNotEmpty();

        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                .until(() -> acceptedBurst.stream().allMatch(recorded::containsKey)
                        && deadLetterEventIds(relay).containsAll(acceptedFlaky));
        assertThat(recorded.keySet()).as("delivered = accepted").isEqualTo(acceptedBurst);
        assertThat(recorded.values()).as("each delivered once").allMatch(count -> count.get() == 1);
        assertThat(deadLetterEventIds(relay)).as("one dead letter per failing event")
                .containsExactlyInAnyOrderElementsOf(acceptedFlaky);

        relay.terminate();
        endpointBroken = false;
        RelayLocalProcess restarted = start(arguments);
        assertThat(deadLetterEventIds(restarted)).as("dead letters after the restart")
                .containsExactlyInAnyOrderElementsOf(acceptedFlaky);
        HttpResponse<String> replay = client.send(HttpRequest.newBuilder(
                URI.create(restarted.baseUrl() + "/broker/dead-letters/replay"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);

        await().atMost(SETTLE).until(() -> acceptedFlaky.stream().allMatch(recorded::containsKey));
        assertThat(deadLetterEventIds(restarted)).isEmpty();
        assertThat(acceptedFlaky).allMatch(id -> recorded.get(id).get() == 1);
        assertThat(recorded.keySet()).isEqualTo(acceptedIds);
    }

    // --- the scan.passed burst

    private final class Burst {
        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final List<Future<?>> senders = new ArrayList<>();

        /** Waits until {@code count} events were accepted or the burst ended: a random point within it. */
        void awaitAccepted(int count) {
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> accepted.size() >= count
                    || senders.stream().allMatch(Future::isDone));
        }

        void await() throws Exception {
            for (Future<?> sender : senders) {
                sender.get(5, TimeUnit.MINUTES);
            }
        }
    }

    /** 200 scan.passed for web-app, one per tag {@code 2.<round>.<n>}, over 8 connections; returns at once. */
    private Burst scanPassedBurst(RelayLocalProcess relay, String round, int count, Set<String> allAccepted) {
        Burst burst = new Burst();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger next = new AtomicInteger();
        for (int connection = 0; connection < 8; connection++) {
            burst.senders.add(pool.submit(() -> {
                HttpClient own = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                    String tag = "2." + (round.equals("k") ? 1 : 2) + "." + n;
                    String id = "scan-" + round + "-" + n;
                    String data = "{\"image\":\"" + IMAGE + "\",\"tag\":\"" + tag + "\",\"digest\":\"sha256:"
                            + sha256(tag) + "\",\"counts\":{\"critical\":0,\"high\":0,\"medium\":0,\"low\":0,"
                            + "\"unknown\":0},\"policy\":\"default\"}";
                    int status = send(own, relay, id, "dev.relay.scan.passed", data);
                    if (status == 202) {
                        burst.accepted.add(id);
                        allAccepted.add(id);
                    } else if (status == -1 || status == 503) {
                        return null;
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        return burst;
    }

    private void awaitOneEffectEach(Path configRepo, Set<String> accepted) {
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(2)).until(() -> {
            Map<String, Long> commits = commitsByEventId(configRepo);
            return accepted.stream().allMatch(id -> commits.containsKey(id) || unchanged.containsKey(id));
        });
    }

    // --- helpers

    private RelayLocalProcess start(List<String> arguments) throws Exception {
        RelayLocalProcess process = RelayLocalProcess.start(workDir, arguments);
        processes.add(process);
        return process;
    }

    /** The project's Triggers, one that reports every manifest.unchanged to this test, and {@code extra}. */
    private Path triggers(List<String> extra) throws IOException {
        Path dir = workDir.resolve("triggers");
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(PROJECT_TRIGGERS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        List<String> all = new ArrayList<>(extra);
        all.add(trigger("report-unchanged", "dev.relay.manifest.unchanged", "/unchanged", 2));
        Files.writeString(dir.resolve("zz-faults.yaml"), String.join("---\n", all));
        return dir;
    }

    private String trigger(String name, String type, String path, int retry) {
        return """
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata:
                  name: %s
                spec:
                  broker: relay
                  filter:
                    attributes:
                      type: %s
                  subscriber:
                    uri: http://127.0.0.1:%d%s
                  delivery:
                    retry: %d
                    deadLetterSink:
                      ref:
                        apiVersion: serving.knative.dev/v1
                        kind: Service
                        name: relay-dead-letters
                """.formatted(name, type, recorder.getAddress().getPort(), path, retry);
    }

    /** Posts one binary-mode event; the status, or -1 when the connection failed (the process is gone). */
    private int send(HttpClient http, RelayLocalProcess relay, String id, String type, String data) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/broker"))
                .timeout(Duration.ofSeconds(60))
                .header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/tests/faults")
                .header("ce-type", type).header("ce-relayapp", "web-app").header("ce-relaytrace", id)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(data)).build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent()) {
                refusedWithRetryAfter.incrementAndGet();
            }
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private Set<String> deadLetterEventIds(RelayLocalProcess relay) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create(relay.baseUrl() + "/broker/dead-letters")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> letters = EventPayloads.mapper().readValue(response.body(), List.class);
        List<String> ids = letters.stream().map(letter -> String.valueOf(letter.get("eventId"))).toList();
        assertThat(ids).as("one dead letter per event").doesNotHaveDuplicates();
        return Set.copyOf(ids);
    }

    private static Map<String, Long> commitsByEventId(Path configRepo) throws Exception {
        return git(configRepo, "log", "main", "--format=%(trailers:key=Relay-Event-Id,valueonly)").lines()
                .map(String::trim).filter(line -> !line.isEmpty())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static String git(Path bareRepo, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + bareRepo));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s\n%s", command, out).isZero();
        return out;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
