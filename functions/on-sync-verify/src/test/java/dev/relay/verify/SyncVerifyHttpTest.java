package dev.relay.verify;

import static dev.relay.verify.VerifyFixtures.APP;
import static dev.relay.verify.VerifyFixtures.DIGEST;
import static dev.relay.verify.VerifyFixtures.ENV;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** on-sync-verify as deployed: its own Spring Boot app, CloudEvents over HTTP, a KubernetesClient bean (mock API). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SyncVerifyHttpTest {

    private static final String NAMESPACE = "web-app-dev";
    private static final KubernetesMockServer SERVER = startServer();
    private static final Path ROOT = tempDir();
    private static final Path REMOTE = TempGitRepos.createBare(ROOT, "config", VerifyFixtures.repositoryFiles());

    @LocalServerPort
    int port;

    @TestConfiguration
    static class MockCluster {
        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient() {
            KubernetesClient client = SERVER.createClient();
            client.apps().deployments().inNamespace(NAMESPACE)
                    .resource(VerifyFixtures.deployment(NAMESPACE, 2).build()).create();
            for (int i = 0; i < 2; i++) {
                client.pods().inNamespace(NAMESPACE).resource(VerifyFixtures.currentPod(NAMESPACE, APP + "-" + i))
                        .create();
            }
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

    private static KubernetesMockServer startServer() {
        KubernetesMockServer server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
                new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
                new io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher(new java.util.HashMap<>()),
                false);
        server.init();
        return server;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("relay-verify-http");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private URI function() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    @Test
    void shouldAnswerVerifyPassedOverHttpAndRecordTheLedgerOnce() {
        String revision = TempGitRepos.log(REMOTE, "main").get(0).getName();
        var event = VerifyFixtures.syncSucceeded(ENV, revision);

        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), event);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.ceType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(answer.header("ce-source")).isEqualTo("/relay/on-sync-verify");
        assertThat(answer.header("ce-relayapp")).isEqualTo(APP);
        assertThat(answer.header("ce-relayenv")).isEqualTo(ENV);
        assertThat(answer.header("ce-relaytrace")).isEqualTo("trace-" + revision.substring(0, 8));
        Map<String, Object> data = answer.json();
        assertThat(data).containsEntry("digest", DIGEST).containsEntry("tag", VerifyFixtures.TAG)
                .containsKey("checks");
        assertThat(TempGitRepos.trailerValues(REMOTE, "main", VerificationLedger.VERIFIED_DIGEST))
                .containsExactly(DIGEST);

        CloudEventHttp.Answer again = CloudEventHttp.post(function(), event);
        assertThat(again.ceType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(TempGitRepos.trailerValues(REMOTE, "main", VerificationLedger.VERIFIED_DIGEST)).hasSize(1);
    }

    @Test
    void shouldAnswerProblemsForUnknownEnvironmentsAndOtherTypes() {
        CloudEventHttp.Answer unknown = CloudEventHttp.post(function(), VerifyFixtures.syncSucceeded("qa", "abc1234"));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.header("content-type")).startsWith("application/problem+json");
        assertThat(unknown.text()).contains("unknown-environment");

        CloudEventHttp.Answer wrongType = CloudEventHttp.post(function(), CloudEventHttp.event(
                RelayEventTypes.SCAN_PASSED, new Payloads.SyncSucceeded(APP, ENV, "abc1234", "argocd")).build());
        assertThat(wrongType.status()).isEqualTo(400);
    }
}
