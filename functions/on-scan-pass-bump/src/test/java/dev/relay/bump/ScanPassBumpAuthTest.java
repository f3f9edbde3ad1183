package dev.relay.bump;

import static dev.relay.bump.BumpFixtures.app;
import static dev.relay.bump.BumpFixtures.overlayPath;
import static dev.relay.bump.BumpFixtures.scanPassed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.testing.GitHttpServer;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The bump against a real Git smart-HTTP server (git http-backend) that demands HTTP Basic auth. */
class ScanPassBumpAuthTest {

    private static final String PASSWORD = "s3cret-token-value";

    @TempDir
    Path dir;

    private GitHttpServer server;
    private Path remote;

    @BeforeEach
    void serve() {
        remote = TempGitRepos.createBare(dir.resolve("srv"), "config", BumpFixtures.repositoryFiles(2));
        server = GitHttpServer.start(dir.resolve("srv"), "relay-bot", PASSWORD);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldPushWithTheConfiguredCredential() throws IOException {
        ScanPassBumpFunction function = function(PASSWORD);

        CloudEvent answer = function.apply(scanPassed(app(0), "5.0.0"));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(TempGitRepos.read(remote, "main", overlayPath(app(0))).orElseThrow()).contains("newTag: '5.0.0'");
        assertThat(TempGitRepos.log(remote, "main").get(0).getFullMessage())
                .doesNotContain(PASSWORD);
    }

    @Test
    void shouldNameTheRepositoryAndNotTheSecretWhenTheCredentialIsWrong() throws IOException {
        ScanPassBumpFunction function = function("wrong-password-value");
        String head = TempGitRepos.log(remote, "main").get(0).getName();

        EventRetryableException problem = catchThrowableOfType(EventRetryableException.class,
                () -> function.apply(scanPassed(app(1), "5.0.1")));

        assertThat(problem.status()).isEqualTo(502);
        assertThat(problem.problemType()).isEqualTo("git-authentication-failed");
        assertThat(problem.detail()).contains(server.url("config.git"))
                .doesNotContain("wrong-password-value").doesNotContain(PASSWORD);
        assertThat(server.unauthorizedCount()).isPositive();
        assertThat(TempGitRepos.log(remote, "main").get(0).getName()).isEqualTo(head);
    }

    private ScanPassBumpFunction function(String password) throws IOException {
        Path passwordFile = Files.writeString(dir.resolve("password"), password + "\n");
        Map<String, String> source = new HashMap<>(BumpFixtures.pipelineProperties(server.url("config.git"), 2));
        for (int i = 0; i < 2; i++) {
            source.put("relay.pipelines." + app(i) + ".config-repo.credentials.username", "relay-bot");
            source.put("relay.pipelines." + app(i) + ".config-repo.credentials.password-file", passwordFile.toString());
        }
        source.put("relay.git.cache-dir", dir.resolve("cache-" + password.length()).toString());
        RelayProperties properties = new Binder(new MapConfigurationPropertySource(source))
                .bind("relay", RelayProperties.class).get();
        return new ScanPassBumpFunction(properties,
                new GitOpsWriter(properties.git().toWriterSettings()));
    }
}
