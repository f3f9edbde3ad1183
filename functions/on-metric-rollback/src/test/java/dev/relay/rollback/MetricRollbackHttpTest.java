package dev.relay.rollback;

import static dev.relay.rollback.RollbackFixtures.DIGEST_A;
import static dev.relay.rollback.RollbackFixtures.DIGEST_B;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** on-metric-rollback as its own Spring Boot app, through its HTTP endpoint. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MetricRollbackHttpTest {

    private static final Path ROOT = tempDir();
    private static final Path REMOTE = TempGitRepos.createBare(ROOT, "config", RollbackFixtures.files());

    static {
        RelayProperties seeding = RollbackFixtures.bind(RollbackFixtures.pipeline(TempGitRepos.fileUrl(REMOTE),
                ROOT.resolve("seed-cache")));
        GitOpsWriter writer = new GitOpsWriter(seeding.git().toWriterSettings());
        RollbackFixtures.verified(writer, seeding, "development", "1.0.0", DIGEST_A);
        RollbackFixtures.verified(writer, seeding, "development", "2.0.0", DIGEST_B);
    }

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        RollbackFixtures.pipeline(TempGitRepos.fileUrl(REMOTE), ROOT.resolve("cache"))
                .forEach((key, value) -> registry.add(key, () -> value));
    }

    @AfterAll
    static void cleanUp() {
        TempGitRepos.deleteTree(ROOT);
    }

    @Test
    void shouldAnswerRollbackCompletedAndCountIt() {
        CloudEventHttp.Answer answer = CloudEventHttp.post(function(),
                RollbackFixtures.verifyFailed("development", "2.0.0", DIGEST_B));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.ceType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        assertThat(answer.header("ce-source")).isEqualTo("/relay/on-metric-rollback");
        assertThat(answer.header("ce-relaytrace")).isEqualTo("trace-verify-failed-2.0.0");
        assertThat(answer.header("ce-relayapp")).isEqualTo("web-app");
        assertThat(answer.header("ce-relayenv")).isEqualTo("development");
        assertThat(answer.json()).containsEntry("reason", "verify-failed")
                .containsEntry("commit", TempGitRepos.log(REMOTE, "main").get(0).getName())
                .containsEntry("toImage", RollbackFixtures.IMAGE + ":1.0.0@" + DIGEST_A);

        CloudEventHttp.Answer metrics = CloudEventHttp.get(URI.create("http://127.0.0.1:" + port
                + "/actuator/prometheus"));
        assertThat(metrics.text()).contains("relay_rollbacks_total{outcome=\"completed\",reason=\"verify-failed\"}")
                .contains("relay_events_total{function=\"on-metric-rollback\"");
    }

    @Test
    void shouldAnswerAProblemForAnUnknownEnvironment() {
        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), RollbackFixtures.breached("qa", "trace-qa"));

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        assertThat(answer.text()).contains("unknown-environment");
    }

    private URI function() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("relay-rollback-http");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
