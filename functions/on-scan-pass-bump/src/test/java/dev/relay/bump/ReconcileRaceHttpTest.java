package dev.relay.bump;

import static dev.relay.bump.BumpFixtures.app;
import static dev.relay.bump.BumpFixtures.digestFor;
import static dev.relay.bump.BumpFixtures.overlayPath;
import static dev.relay.bump.BumpFixtures.scanPassed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.GitHttpServer;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A reconcile repair ({@code reconcile-<app>-<digest>}) and the real {@code image.pushed} it raced carry the same
 * digest under different event ids: whichever passes its scan second meets the digest already in the first
 * environment and answers {@code unchanged} ({@code already-at-image}), so each app gets exactly one commit, also when
 * they arrive at the same time and when the clone cache is lost before a late third copy.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReconcileRaceHttpTest {

    private static final int APPS = 12;
    private static final String TAG = "3.1.4";
    private static final Path ROOT = tempDir();
    private static final Path CACHE = ROOT.resolve("cache");
    private static final Path REMOTE = TempGitRepos.createBare(ROOT.resolve("srv"), "config",
            BumpFixtures.repositoryFiles(APPS));
    private static final GitHttpServer GIT = GitHttpServer.start(ROOT.resolve("srv"));

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        BumpFixtures.pipelineProperties(GIT.url(REMOTE.getFileName().toString()), APPS)
                .forEach((k, v) -> registry.add(k, () -> v));
        registry.add("relay.git.cache-dir", CACHE::toString);
    }

    @AfterAll
    static void cleanUp() {
        GIT.close();
        TempGitRepos.deleteTree(ROOT);
    }

    @Test
    void aRepairAndTheRealEventForTheSameDigestMakeOneCommitPerApp() throws Exception {
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < APPS; i++) {
            String digest = digestFor(TAG);
            events.add(scanPassed(app(i), TAG, digest).withId("reconcile-" + app(i) + "-" + digest).build());
            events.add(scanPassed(app(i), TAG, digest).withId("distribution-" + app(i)).build());
        }

        List<CloudEventHttp.Answer> answers = postConcurrently(events);

        for (int i = 0; i < APPS; i++) {
            List<CloudEventHttp.Answer> pair = List.of(answers.get(2 * i), answers.get(2 * i + 1));
            assertThat(pair).allSatisfy(a -> assertThat(a.status()).as(a.text()).isEqualTo(200));
            assertThat(pair).extracting(CloudEventHttp.Answer::ceType).as(app(i)).containsExactlyInAnyOrder(
                    RelayEventTypes.MANIFEST_BUMPED, RelayEventTypes.MANIFEST_UNCHANGED);
            assertThat(pair).filteredOn(a -> RelayEventTypes.MANIFEST_UNCHANGED.equals(a.ceType()))
                    .singleElement().satisfies(a -> assertThat(a.json()).containsEntry("reason", "already-at-image"));
            assertThat(bumps(app(i))).as(app(i)).hasSize(1);
            assertThat(TempGitRepos.read(REMOTE, "main", overlayPath(app(i))).orElseThrow())
                    .contains("newTag: '" + TAG + "'");
        }

        TempGitRepos.deleteTree(CACHE);
        CloudEventHttp.Answer late = CloudEventHttp.post(function(),
                scanPassed(app(0), TAG, digestFor(TAG)).withId("harbor-late-copy").build());
        assertThat(late.ceType()).as(late.text()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(bumps(app(0))).hasSize(1);
    }

    private static List<RevCommit> bumps(String app) {
        return TempGitRepos.log(REMOTE, "main").stream()
                .filter(c -> c.getFooterLines("Relay-App").contains(app))
                .filter(c -> c.getShortMessage().startsWith("bump("))
                .toList();
    }

    private List<CloudEventHttp.Answer> postConcurrently(List<CloudEvent> events) throws Exception {
        return CloudEventHttp.postConcurrently(function(), events, 8);
    }

    private URI function() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("relay-reconcile-race");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
