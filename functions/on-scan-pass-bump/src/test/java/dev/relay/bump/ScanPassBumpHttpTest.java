package dev.relay.bump;

import static dev.relay.bump.BumpFixtures.app;
import static dev.relay.bump.BumpFixtures.overlayPath;
import static dev.relay.bump.BumpFixtures.scanPassed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import dev.relay.shared.tracing.TraceParent;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** on-scan-pass-bump through its HTTP endpoint, against a real bare config repository of 50 apps + one Helm app. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ScanPassBumpHttpTest {

    private static final int APPS = 50;
    /** Apps the concurrent test leaves alone, one per single-bump test: an app never sees an older tag later. */
    private static final String ONE_LINE = app(APPS);
    private static final String TRACED = app(APPS + 1);
    private static final String AT_IMAGE = app(APPS + 2);
    private static final String COUNTED = app(APPS + 3);
    private static final Path ROOT = tempDir();
    private static final Path REMOTE = TempGitRepos.createBare(ROOT, "config",
            BumpFixtures.repositoryFiles(APPS + 4));

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        BumpFixtures.pipelineProperties(TempGitRepos.fileUrl(REMOTE), APPS + 4).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("relay.git.cache-dir", () -> ROOT.resolve("cache").toString());
    }

    @AfterAll
    static void cleanUp() {
        TempGitRepos.deleteTree(ROOT);
    }

    private URI function() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    @Test
    void shouldBumpOneLineAndAnswerBumpedThenUnchangedOnRedelivery() {
        String before = TempGitRepos.read(REMOTE, "main", overlayPath(ONE_LINE)).orElseThrow();
        int commitsBefore = commits();
        CloudEvent event = scanPassed(ONE_LINE, "1.4.2");

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), event);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.ceType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(answer.header("ce-source")).isEqualTo("/relay/on-scan-pass-bump");
        assertThat(answer.header("ce-relaytrace")).isEqualTo("trace-app-50-1.4.2");
        assertThat(answer.header("ce-relayapp")).isEqualTo("app-50");
        assertThat(answer.header("ce-relayenv")).isEqualTo("development");
        Map<String, Object> data = answer.json();
        String head = TempGitRepos.log(REMOTE, "main").get(0).getName();
        assertThat(data).containsEntry("commit", head).containsEntry("app", "app-50")
                .containsEntry("environment", "development").containsEntry("tag", "1.4.2")
                .containsEntry("path", overlayPath(ONE_LINE)).containsEntry("previousTag", "1.0.0");
        assertThat(commits()).isEqualTo(commitsBefore + 1);
        String after = TempGitRepos.read(REMOTE, "main", overlayPath(ONE_LINE)).orElseThrow();
        assertThat(changedLines(before, after)).containsExactly(
                "-    newTag: '1.0.0' # single-quoted on purpose", "+    newTag: '1.4.2' # single-quoted on purpose");
        String message = TempGitRepos.log(REMOTE, "main").get(0).getFullMessage();
        assertThat(message).startsWith("bump(app-50/development): 1.0.0 -> 1.4.2")
                .contains("Relay-Event-Id: " + event.getId())
                .contains("Relay-Trace: trace-app-50-1.4.2")
                .contains("Relay-Source-Commit: 0123456789abcdef0123456789abcdef01234567")
                .contains("Relay-Image-Digest: " + BumpFixtures.digestFor("1.4.2"))
                .contains("Relay-Environment: development");

        CloudEventHttp.Answer again = CloudEventHttp.post(function(), event);

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.ceType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(again.json()).containsEntry("reason", "already-applied").containsEntry("commit", head);
        assertThat(commits()).isEqualTo(commitsBefore + 1);
    }

    @Test
    void shouldRecordTheBumpSpanOfTheScansTraceInTheCommit() {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        String scanSpan = "b7ad6b7169203331";
        CloudEvent event = scanPassed(TRACED, "1.5.0", BumpFixtures.digestFor("1.5.0"))
                .withExtension(RelayExtensions.TRACEPARENT, "00-" + traceId + "-" + scanSpan + "-01").build();

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), event);

        assertThat(answer.ceType()).as(answer.text()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        List<String> recorded = TempGitRepos.log(REMOTE, "main").get(0).getFooterLines("Relay-Traceparent");
        assertThat(recorded).hasSize(1);
        TraceParent bump = TraceParent.parse(recorded.get(0)).orElseThrow(
                () -> new AssertionError("not a valid traceparent: " + recorded));
        assertThat(bump.traceId()).isEqualTo(traceId);
        assertThat(bump.parentId()).as("the bump's own span").isNotEqualTo(scanSpan);
        assertThat(answer.header("ce-traceparent")).as("the answer comes from the same span").isEqualTo(bump.value());
    }

    @Test
    void shouldAnswerUnchangedWhenTheManifestAlreadyHoldsTheImage() {
        CloudEventHttp.post(function(), scanPassed(AT_IMAGE, "2.0.0"));
        int commitsBefore = commits();

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), scanPassed(AT_IMAGE, "2.0.0"));

        assertThat(answer.ceType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(answer.json()).containsEntry("reason", "already-at-image");
        assertThat(commits()).isEqualTo(commitsBefore);
    }

    @Test
    void shouldLandExactlyFiftyCommitsForFiftyConcurrentAppsAndNothingOnResend() throws Exception {
        List<CloudEvent> events = IntStream.range(0, APPS).mapToObj(i -> scanPassed(app(i), "3.0." + i)).toList();
        int commitsBefore = commits();

        List<CloudEventHttp.Answer> answers = postConcurrently(events);

        assertThat(answers).extracting(CloudEventHttp.Answer::status).containsOnly(200);
        assertThat(answers).extracting(CloudEventHttp.Answer::ceType).containsOnly(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(commits()).isEqualTo(commitsBefore + APPS);
        List<String> eventIds = TempGitRepos.trailerValues(REMOTE, "main", "Relay-Event-Id");
        for (CloudEvent event : events) {
            assertThat(eventIds).as("commits carrying event %s", event.getId()).containsOnlyOnce(event.getId());
        }
        for (int i = 0; i < APPS; i++) {
            assertThat(TempGitRepos.read(REMOTE, "main", overlayPath(app(i))).orElseThrow())
                    .contains("newTag: '3.0." + i + "'");
        }

        List<CloudEventHttp.Answer> again = postConcurrently(events);

        assertThat(again).extracting(CloudEventHttp.Answer::ceType).containsOnly(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(commits()).isEqualTo(commitsBefore + APPS);
    }

    @Test
    void shouldBumpHelmValuesByteForByteAndIgnoreRedelivery() {
        String before = TempGitRepos.read(REMOTE, "main", "charts/helm-app/values-development.yaml").orElseThrow();
        CloudEvent event = scanPassed("helm-app", "1.1.0");

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), event);

        assertThat(answer.ceType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        String after = TempGitRepos.read(REMOTE, "main", "charts/helm-app/values-development.yaml").orElseThrow();
        assertThat(changedLines(before, after)).containsExactly("-  tag: \"1.0.0\"", "+  tag: \"1.1.0\"");
        int commits = commits();
        assertThat(CloudEventHttp.post(function(), event).ceType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(commits()).isEqualTo(commits);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../x", "v1\n- name: evil", "1.0 # comment", "", "-leading-dash", "a/b",
            "tag:with:colons", "{}", "\"quoted\""})
    void shouldRejectTagsThatAreNotImageTagsAndChangeNothing(String tag) {
        String head = head();

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(),
                scanPassed(app(3), tag, BumpFixtures.digestFor("x")).build());

        assertProblem(answer, 422);
        assertThat(head()).isEqualTo(head);
    }

    @Test
    void shouldRejectHelmTagInjectionAndChangeNothing() {
        String head = head();

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(),
                scanPassed("helm-app", "v1\n  tag: evil", BumpFixtures.digestFor("x")).build());

        assertProblem(answer, 422);
        assertThat(head()).isEqualTo(head);
    }

    @Test
    void shouldRejectUnknownAppsMissingFieldsAndBadDigests() {
        String head = head();

        assertProblem(CloudEventHttp.post(function(), scanPassed("no-such-app", "1.0.1")), 422);
        assertProblem(CloudEventHttp.post(function(),
                scanPassed(app(1), "1.0.1", null).build()), 422);
        assertProblem(CloudEventHttp.post(function(),
                scanPassed(app(1), "1.0.1", "sha256:abc").build()), 422);
        assertProblem(CloudEventHttp.post(function(), CloudEventHttp.event(RelayEventTypes.SCAN_PASSED,
                Map.of("image", "registry.example.com/team/unowned", "tag", "1.0.0",
                        "digest", BumpFixtures.digestFor("1"))).build()), 422);
        assertProblem(CloudEventHttp.post(function(), CloudEventHttp.event(RelayEventTypes.VERIFY_FAILED,
                Map.of("app", "app-01")).build()), 400);
        assertThat(head()).isEqualTo(head);
    }

    @Test
    void shouldRejectMalformedCloudEventsAndOversizedBodies() {
        String head = head();

        assertProblem(CloudEventHttp.postRaw(function(), Map.of("content-type", "application/json"),
                "{\"tag\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)), 400);
        assertProblem(CloudEventHttp.postRaw(function(), Map.of("ce-specversion", "1.0", "ce-type",
                RelayEventTypes.SCAN_PASSED, "ce-source", "/tests", "content-type", "application/json"),
                "{}".getBytes(StandardCharsets.UTF_8)), 400);
        assertProblem(CloudEventHttp.postRaw(function(), Map.of("content-type", "application/cloudevents+json"),
                "{\"specversion\":\"1.0\",\"id\":".getBytes(StandardCharsets.UTF_8)), 400);
        assertProblem(CloudEventHttp.postRaw(function(), Map.of("ce-specversion", "1.0", "ce-id", "x", "ce-type",
                RelayEventTypes.SCAN_PASSED, "ce-source", "/tests", "content-type", "application/json"),
                "not json".getBytes(StandardCharsets.UTF_8)), 400);
        byte[] tenMegabytes = new byte[10 * 1024 * 1024];
        Arrays.fill(tenMegabytes, (byte) 'a');
        assertProblem(CloudEventHttp.postRaw(function(), Map.of("ce-specversion", "1.0", "ce-id", "big", "ce-type",
                RelayEventTypes.SCAN_PASSED, "ce-source", "/tests", "content-type", "application/json"),
                tenMegabytes), 413);
        assertThat(head()).isEqualTo(head);
    }

    @Test
    void shouldExposeEventCountersOnPrometheus() {
        CloudEventHttp.post(function(), scanPassed(COUNTED, "9.9.9"));

        CloudEventHttp.Answer metrics = CloudEventHttp.get(URI.create("http://127.0.0.1:" + port
                + "/actuator/prometheus"));

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text())
                .contains("relay_events_total{function=\"on-scan-pass-bump\",outcome=\"dev.relay.manifest.bumped\","
                        + "type=\"dev.relay.scan.passed\"}")
                .contains("relay_event_duration_seconds_count{function=\"on-scan-pass-bump\"");
        assertThat(CloudEventHttp.get(URI.create("http://127.0.0.1:" + port + "/actuator/health")).text())
                .contains("UP");
    }

    private static void assertProblem(CloudEventHttp.Answer answer, int status) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(status);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        assertThat(answer.json()).containsEntry("status", status).containsKeys("type", "title", "detail");
    }

    private List<CloudEventHttp.Answer> postConcurrently(List<CloudEvent> events) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(events.size());
        try {
            List<Future<CloudEventHttp.Answer>> futures = new ArrayList<>();
            for (CloudEvent event : events) {
                futures.add(pool.submit(() -> CloudEventHttp.post(function(), event)));
            }
            List<CloudEventHttp.Answer> answers = new ArrayList<>();
            for (Future<CloudEventHttp.Answer> future : futures) {
                answers.add(future.get(5, java.util.concurrent.TimeUnit.MINUTES));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> changedLines(String before, String after) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        assertThat(b).hasSameSizeAs(a);
        List<String> diff = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(b.get(i))) {
                diff.add("-" + a.get(i));
                diff.add("+" + b.get(i));
            }
        }
        return diff;
    }

    private static int commits() {
        return TempGitRepos.log(REMOTE, "main").size();
    }

    private static String head() {
        return TempGitRepos.log(REMOTE, "main").get(0).getName();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("relay-bump-http");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
