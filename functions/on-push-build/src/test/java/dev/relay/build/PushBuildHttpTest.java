package dev.relay.build;

import static dev.relay.build.BuildFixtures.REPO;
import static dev.relay.build.BuildFixtures.SHA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.testing.CloudEventHttp;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** on-push-build as deployed: its own Spring Boot app, CloudEvents over HTTP, a KubernetesClient bean (mock API). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PushBuildHttpTest {

    private static final KubernetesMockServer SERVER = startServer();

    @LocalServerPort
    int port;

    @TestConfiguration
    static class MockCluster {
        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient() {
            return SERVER.createClient();
        }
    }

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        BuildFixtures.pipeline("web-app", REPO, "kaniko").forEach((k, v) -> registry.add(k, () -> v));
        registry.add("relay.pipelines.web-app.build.namespace", () -> "relay-builds");
    }

    @AfterAll
    static void stop() {
        SERVER.destroy();
    }

    private static KubernetesMockServer startServer() {
        KubernetesMockServer server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
                new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
                new io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher(new java.util.HashMap<>()),
                false);
        server.init();
        return server;
    }

    private URI function() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    @Test
    void shouldAnswerBuildStartedOverHttpAndTheSameOnRedelivery() {
        CloudEventHttp.Answer answer = CloudEventHttp.post(function(),
                BuildFixtures.pushed(REPO, "refs/heads/main", SHA));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.ceType()).isEqualTo(RelayEventTypes.BUILD_STARTED);
        assertThat(answer.header("ce-source")).isEqualTo("/relay/on-push-build");
        assertThat(answer.header("ce-relayapp")).isEqualTo("web-app");
        assertThat(answer.header("ce-relaytrace")).isEqualTo("trace-4c3f5e2b");
        Map<String, Object> data = answer.json();
        assertThat(data).containsEntry("job", "build-web-app-4c3f5e2b9a8d").containsEntry("builder", "kaniko");

        CloudEventHttp.Answer again = CloudEventHttp.post(function(), BuildFixtures.pushed(REPO, "refs/heads/main", SHA));
        assertThat(again.ceType()).isEqualTo(RelayEventTypes.BUILD_STARTED);
        assertThat(again.json()).isEqualTo(data);
    }

    @Test
    void shouldAnswerSkippedAndProblems() {
        CloudEventHttp.Answer skipped = CloudEventHttp.post(function(),
                BuildFixtures.pushed(REPO, "refs/heads/feature-x", SHA));
        assertThat(skipped.ceType()).isEqualTo(RelayEventTypes.BUILD_SKIPPED);
        assertThat(skipped.json()).containsKey("reason");

        CloudEventHttp.Answer badCommit = CloudEventHttp.post(function(),
                BuildFixtures.pushed(REPO, "refs/heads/main", "abc"));
        assertThat(badCommit.status()).isEqualTo(422);
        assertThat(badCommit.header("content-type")).startsWith("application/problem+json");
        assertThat(badCommit.text()).contains("invalid-commit");

        CloudEventHttp.Answer wrongType = CloudEventHttp.post(function(),
                CloudEventHttp.event(RelayEventTypes.SCAN_PASSED, Map.of("image", "x")).build());
        assertThat(wrongType.status()).isEqualTo(400);
    }
}
