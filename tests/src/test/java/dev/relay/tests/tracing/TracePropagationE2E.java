package dev.relay.tests.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import dev.relay.shared.tracing.TraceParent;
import dev.relay.tests.support.ChainFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One change is one trace: a Harbor push carrying an HTTP {@code traceparent} goes through relay-local's
 * webhook-ingress, embedded broker, on-image-scan and on-scan-pass-bump; every event of that change on the broker
 * carries a {@code traceparent} of that trace with a span of its own hop, and the bump commit's {@code Relay-Trace}
 * is the change's {@code relaytrace}: the id of its first event, whose {@code traceparent} names the trace. The spans
 * relay-local exports to a Zipkin endpoint form one tree: each hop's span descends from the previous hop's.
 */
@SpringBootTest(classes = RelayLocalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false", "relay.ingress.providers.harbor.secret=harbor-token"})
@ExtendWith(OutputCaptureExtension.class)
class TracePropagationE2E {

    private static final Path WORK = ChainFixtures.tempDir("relay-trace");
    private static final String OVERLAY = "apps/web-app/overlays/development/kustomization.yaml";
    private static final Path REMOTE = TempGitRepos.createBare(WORK, "config", Map.of(OVERLAY, """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            images:
              - name: harbor.example.com/team/web-app
                newTag: "0.1.0"
            """));
    private static final String DIGEST = "sha256:" + "c3".repeat(32);
    private static final String TRACE_ID = "5c1e0a7c3f2b4d6e8f90a1b2c3d4e5f6";
    private static final String HARBOR_SPAN_ID = "a1b2c3d4e5f60718";
    private static final List<Map<String, Object>> EXPORTED = new CopyOnWriteArrayList<>();
    private static final HttpServer ZIPKIN = zipkin();
    private static final String ZIPKIN_ENDPOINT = "management.tracing.export.zipkin.endpoint";

    static {
        // a system property, not a @DynamicPropertySource: Relay decides about export before those are added
        System.setProperty(ZIPKIN_ENDPOINT, "http://127.0.0.1:" + ZIPKIN.getAddress().getPort() + "/api/v2/spans");
    }

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void pipeline(DynamicPropertyRegistry registry) {
        String prefix = "relay.pipelines.web-app.";
        registry.add("relay.git.cache-dir", () -> WORK.resolve("cache").toString());
        registry.add(prefix + "image", () -> "harbor.example.com/team/web-app");
        registry.add(prefix + "config-repo.url", () -> TempGitRepos.fileUrl(REMOTE));
        registry.add(prefix + "environments[0].name", () -> "development");
        registry.add(prefix + "environments[0].path", () -> OVERLAY);
        registry.add(prefix + "scan.backend", () -> "trivy-cli");
        registry.add(prefix + "scan.trivy-cli.path",
                () -> ChainFixtures.trivyPrinting(WORK, "alpine-310.json.golden").toString());
    }

    @AfterAll
    static void deleteWork() {
        System.clearProperty(ZIPKIN_ENDPOINT);
        ZIPKIN.stop(0);
        TempGitRepos.deleteTree(WORK);
    }

    @Test
    void shouldCarryOneTraceFromTheHarborPushToTheBumpCommit(CapturedOutput output) {
        String body = """
                {"type":"PUSH_ARTIFACT","occur_at":1764064800,"operator":"ci","event_data":{"resources":[\
                {"digest":"%s","tag":"1.2.0","resource_url":"harbor.example.com/team/web-app:1.2.0"}],\
                "repository":{"name":"web-app","namespace":"team","repo_full_name":"team/web-app",\
                "repo_type":"private"}}}""".formatted(DIGEST);
        CloudEventHttp.Answer pushed = CloudEventHttp.postRaw(URI.create(base() + "/webhooks/harbor"),
                Map.of("Content-Type", "application/json", "Authorization", "Bearer harbor-token",
                        "traceparent", "00-" + TRACE_ID + "-" + HARBOR_SPAN_ID + "-01"),
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(pushed.status()).as(pushed.text()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        String relaytrace = ((List<String>) pushed.json().get("ids")).get(0);

        await().atMost(Duration.ofSeconds(60)).until(() -> change(relaytrace).stream()
                .anyMatch(e -> RelayEventTypes.MANIFEST_BUMPED.equals(e.get("type"))));

        List<Map<String, Object>> change = change(relaytrace);
        assertThat(change).extracting(e -> e.get("type")).containsExactly(RelayEventTypes.IMAGE_PUSHED,
                RelayEventTypes.SCAN_PASSED, RelayEventTypes.MANIFEST_BUMPED);
        List<TraceParent> traceParents = change.stream().map(e -> TraceParent.parse(
                extensions(e).get(RelayExtensions.TRACEPARENT)).orElseThrow(
                        () -> new AssertionError(e.get("type") + " carries no valid traceparent: " + extensions(e))))
                .toList();
        assertThat(traceParents).extracting(TraceParent::traceId).containsOnly(TRACE_ID);
        assertThat(traceParents).extracting(TraceParent::parentId).doesNotHaveDuplicates()
                .doesNotContain(HARBOR_SPAN_ID);

        RevCommit bump = TempGitRepos.log(REMOTE, "main").get(0);
        assertThat(bump.getShortMessage()).isEqualTo("bump(web-app/development): 0.1.0 -> 1.2.0");
        assertThat(bump.getFooterLines("Relay-Trace")).containsExactly(relaytrace);
        assertThat(change.get(0).get("id")).isEqualTo(relaytrace);

        await().atMost(Duration.ofSeconds(30)).until(() -> traceParents.stream()
                .allMatch(tp -> exportedSpans().containsKey(tp.parentId())));
        Map<String, Map<String, Object>> spans = exportedSpans();
        assertThat(spans.values()).extracting(span -> span.get("traceId")).containsOnly(TRACE_ID);
        for (int hop = 1; hop < traceParents.size(); hop++) {
            assertThat(ancestors(spans, traceParents.get(hop).parentId()))
                    .as("the span of %s descends from the span of %s", change.get(hop).get("type"),
                            change.get(hop - 1).get("type"))
                    .contains(traceParents.get(hop - 1).parentId());
        }
        List<String> ingress = new ArrayList<>(List.of(traceParents.get(0).parentId()));
        ingress.addAll(ancestors(spans, ingress.get(0)));
        assertThat(spans.get(ingress.get(ingress.size() - 1)).get("parentId")).as("Harbor's span is the root's parent")
                .isEqualTo(HARBOR_SPAN_ID);

        assertThat(output.getOut()).containsPattern("\\[relaytrace=" + relaytrace + "] \\[traceId=" + TRACE_ID
                + " spanId=[0-9a-f]{16}] .*handled by on-scan-pass-bump: answered " + RelayEventTypes.MANIFEST_BUMPED);
    }

    /** Exported spans of the test's trace by span id. */
    private static Map<String, Map<String, Object>> exportedSpans() {
        Map<String, Map<String, Object>> byId = new HashMap<>();
        EXPORTED.stream().filter(span -> TRACE_ID.equals(span.get("traceId")))
                .forEach(span -> byId.put((String) span.get("id"), span));
        return byId;
    }

    /** The ids of the exported spans above {@code spanId}, nearest first. */
    private static List<String> ancestors(Map<String, Map<String, Object>> spans, String spanId) {
        List<String> ancestors = new ArrayList<>();
        String parent = (String) spans.get(spanId).get("parentId");
        while (parent != null && spans.containsKey(parent) && !ancestors.contains(parent)) {
            ancestors.add(parent);
            parent = (String) spans.get(parent).get("parentId");
        }
        return ancestors;
    }

    /** A Zipkin collector on loopback that keeps every span posted to it (JSON v2, gzip when large). */
    @SuppressWarnings("unchecked")
    private static HttpServer zipkin() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/api/v2/spans", exchange -> {
                try (exchange) {
                    InputStream body = "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                            ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody();
                    EXPORTED.addAll(EventPayloads.mapper().readValue(body.readAllBytes(), List.class));
                    exchange.sendResponseHeaders(202, -1);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The events of one change on the broker, oldest first. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> change(String relaytrace) {
        List<Map<String, Object>> events = EventPayloads.mapper().readValue(
                CloudEventHttp.get(URI.create(base() + "/broker/events")).body(), List.class);
        return events.stream().filter(e -> relaytrace.equals(extensions(e).get(RelayExtensions.TRACE))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> extensions(Map<String, Object> event) {
        return event.get("extensions") instanceof Map<?, ?> map ? (Map<String, String>) map : Map.of();
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }
}
