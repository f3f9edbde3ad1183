package dev.relay.verify;

import static dev.relay.verify.VerifyFixtures.APP;
import static dev.relay.verify.VerifyFixtures.DIGEST;
import static dev.relay.verify.VerifyFixtures.ENV;
import static dev.relay.verify.VerifyFixtures.IMAGE;
import static dev.relay.verify.VerifyFixtures.OVERLAY;
import static dev.relay.verify.VerifyFixtures.TAG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import dev.relay.shared.tracing.TraceParent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The GitOps tool's sync notification carries no trace of the change; verification continues the trace the bump
 * commit recorded in {@code Relay-Traceparent}, and falls back to the notification's own trace when that is malformed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SyncVerifyTracingHttpTest {

    private static final String NAMESPACE = "web-app-dev";
    private static final KubernetesMockServer SERVER = startServer();
    private static final Path ROOT = tempDir();
    private static final Path REMOTE = TempGitRepos.createBare(ROOT, "config", VerifyFixtures.repositoryFiles());
    private static final String BUMP_TRACE_ID = "3d1f9c2b7a6e4f508d2c1b0a9f8e7d6c";
    private static final String BUMP_SPAN_ID = "51a2b3c4d5e6f708";

    @LocalServerPort
    int port;

    @TestConfiguration
    static class MockCluster {
        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient() {
            KubernetesClient client = SERVER.createClient();
            client.apps().deployments().inNamespace(NAMESPACE)
                    .resource(VerifyFixtures.deployment(NAMESPACE, 1).build()).create();
            client.pods().inNamespace(NAMESPACE).resource(VerifyFixtures.currentPod(NAMESPACE, APP + "-0")).create();
            return client;
        }
    }

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        VerifyFixtures.properties(TempGitRepos.fileUrl(REMOTE), ROOT.resolve("cache").toString(), NAMESPACE)
                .forEach((k, v) -> registry.add(k, () -> v));
    }

    @AfterAll
    static void stop() {
        SERVER.destroy();
        TempGitRepos.deleteTree(ROOT);
    }

    @Test
    void shouldContinueTheTraceTheBumpCommitRecorded() {
        String bump = bumpCommit("00-" + BUMP_TRACE_ID + "-" + BUMP_SPAN_ID + "-01", "first");

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), VerifyFixtures.syncSucceeded(ENV, bump));

        assertThat(answer.ceType()).as(answer.text()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(answer.header("ce-relaytrace")).isEqualTo("trace-of-the-bump");
        TraceParent verified = traceParentOf(answer);
        assertThat(verified.traceId()).isEqualTo(BUMP_TRACE_ID);
        assertThat(verified.parentId()).as("a span of its own").isNotEqualTo(BUMP_SPAN_ID);
    }

    @Test
    void shouldStayInTheSyncsTraceWhenTheRecordedTraceparentIsMalformed() {
        String bump = bumpCommit("00-" + BUMP_TRACE_ID.toUpperCase() + "-" + BUMP_SPAN_ID + "-01", "second");
        String syncTraceId = "7e6d5c4b3a2918070f1e2d3c4b5a6978";
        CloudEvent sync = CloudEventBuilder.v1(VerifyFixtures.syncSucceeded(ENV, bump))
                .withExtension(RelayExtensions.TRACEPARENT, "00-" + syncTraceId + "-1111222233334444-01").build();

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), sync);

        assertThat(answer.ceType()).as(answer.text()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(traceParentOf(answer).traceId()).isEqualTo(syncTraceId);
    }

    /** A bump of the image the cluster runs, as on-scan-pass-bump writes it, with {@code traceParent} recorded. */
    private static String bumpCommit(String traceParent, String marker) {
        return TempGitRepos.pushFromOtherClone(REMOTE, "main",
                Map.of(OVERLAY, VerifyFixtures.overlay(TAG, DIGEST) + "# " + marker + "\n"),
                "bump(" + APP + "/" + ENV + "): 1.4.1 -> " + TAG + "\n\nRelay-Event-Id: scan-" + marker
                        + "\nRelay-Trace: trace-of-the-bump\nRelay-Traceparent: " + traceParent
                        + "\nRelay-Image-Digest: " + DIGEST + "\nRelay-Image: " + IMAGE + ":" + TAG
                        + "\nRelay-App: " + APP + "\nRelay-Environment: " + ENV + "\n");
    }

    private static TraceParent traceParentOf(CloudEventHttp.Answer answer) {
        String value = answer.header("ce-traceparent");
        return TraceParent.parse(value).orElseThrow(() -> new AssertionError("not a valid traceparent: " + value));
    }

    private URI function() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    private static KubernetesMockServer startServer() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        server.init();
        return server;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("relay-verify-trace");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
