package dev.relay.bump;

import static dev.relay.bump.BumpFixtures.app;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.semver4j.Semver;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 15's acceptance for ordering and idempotency: on-scan-pass-bump over HTTP, writing a config repository served
 * by a real Git HTTP server on loopback. Deliveries arrive out of order and again; the clone cache is lost between
 * deliveries (as a scale-from-zero loses its emptyDir) and clones are 5 commits deep, so most redelivered bumps lie
 * beyond a fresh clone; no event may land twice, no environment may move backwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NeverBackwardsHttpTest {

    /** Apps 0..9: the cache-loss test; 10..59: the concurrent test. */
    private static final int CACHE_APPS = 10;
    private static final int CONCURRENT_APPS = 50;
    private static final int APPS = CACHE_APPS + CONCURRENT_APPS;
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
        registry.add("relay.git.depth", () -> "5");
    }

    @AfterAll
    static void cleanUp() {
        GIT.close();
        TempGitRepos.deleteTree(ROOT);
    }

    @Test
    void shouldApplyEachEventOnceAndNeverMoveBackWhenTheCacheIsLostBeforeEveryDelivery() {
        Random random = new Random(15);
        List<CloudEvent> distinct = new ArrayList<>();
        for (int i = 0; i < CACHE_APPS; i++) {
            for (int t = 0; t < 20; t++) {
                distinct.add(scanPassed(app(i), "1." + (t / 5) + "." + (t % 5 + 1)));
            }
        }
        Collections.shuffle(distinct, random);
        Map<String, CloudEventHttp.Answer> firstAnswers = new HashMap<>();
        List<CloudEvent> delivered = new ArrayList<>();
        List<CloudEvent> bumped = new ArrayList<>();
        int redeliveries = 0;
        int beyondTheClone = 0;

        for (int n = 0; n < 250; n++) {
            boolean redeliver = n % 5 == 4;
            List<CloudEvent> from = random.nextBoolean() && !bumped.isEmpty() ? bumped : delivered;
            CloudEvent event = redeliver ? from.get(random.nextInt(from.size())) : distinct.get(n - n / 5);
            List<String> newestCommits = TempGitRepos.log(REMOTE, "main").stream().limit(5).map(RevCommit::getName)
                    .toList();
            TempGitRepos.deleteTree(CACHE);
            CloudEventHttp.Answer answer = CloudEventHttp.post(function(), event);

            assertThat(answer.status()).as(answer.text()).isEqualTo(200);
            CloudEventHttp.Answer first = firstAnswers.putIfAbsent(event.getId(), answer);
            if (first != null) {
                redeliveries++;
                assertSameAnswer(event, first, answer);
                if (first.json().get("commit") != null && !newestCommits.contains(first.json().get("commit"))) {
                    beyondTheClone++;
                }
            } else {
                delivered.add(event);
                if (RelayEventTypes.MANIFEST_BUMPED.equals(answer.ceType())) {
                    bumped.add(event);
                }
            }
        }

        assertThat(redeliveries).isEqualTo(50);
        assertThat(beyondTheClone).as("redelivered bumps whose commit a fresh clone does not hold").isPositive();
        assertEachEventLandedAtMostOnce();
        assertNoEnvironmentMovedBackwards();
        for (int i = 0; i < CACHE_APPS; i++) {
            assertThat(TempGitRepos.read(REMOTE, "main", overlayPath(app(i))).orElseThrow())
                    .as("%s ends on its newest tag", app(i)).contains("newTag: '1.3.5'");
        }
    }

    @Test
    void shouldLeaveEveryAppOnItsNewestTagWhenFourTagsPerAppArriveConcurrentlyInAnyOrder() throws Exception {
        List<String> tags = List.of("1.2.0", "1.9.1", "1.10.0", "2.0.0");
        List<CloudEvent> events = new ArrayList<>();
        for (int i = CACHE_APPS; i < APPS; i++) {
            for (String tag : tags) {
                events.add(scanPassed(app(i), tag));
            }
        }
        Collections.shuffle(events, new Random(50));

        List<CloudEventHttp.Answer> answers = postConcurrently(events, 32);

        for (CloudEventHttp.Answer answer : answers) {
            assertThat(answer.status()).as(answer.text()).isEqualTo(200);
            if (RelayEventTypes.MANIFEST_UNCHANGED.equals(answer.ceType())) {
                assertThat(answer.json().get("reason")).isEqualTo("superseded");
                assertThat((String) answer.json().get("newerImage")).contains(":");
            } else {
                assertThat(answer.ceType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
            }
        }
        for (int i = CACHE_APPS; i < APPS; i++) {
            assertThat(TempGitRepos.read(REMOTE, "main", overlayPath(app(i))).orElseThrow())
                    .as("%s ends on its newest tag", app(i)).contains("newTag: '2.0.0'");
        }
        assertEachEventLandedAtMostOnce();
        assertNoEnvironmentMovedBackwards();
    }

    private static void assertSameAnswer(CloudEvent event, CloudEventHttp.Answer first, CloudEventHttp.Answer again) {
        String what = "redelivery of " + event.getId() + " first answered " + first.text();
        if (RelayEventTypes.MANIFEST_BUMPED.equals(first.ceType())) {
            assertThat(again.ceType()).as(what).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
            assertThat(again.json()).as(what).containsEntry("reason", "already-applied")
                    .containsEntry("commit", first.json().get("commit"));
        } else {
            assertThat(again.ceType()).as(what).isEqualTo(first.ceType());
            assertThat(again.json().get("reason")).as(what).isEqualTo(first.json().get("reason"));
        }
    }

    private static void assertEachEventLandedAtMostOnce() {
        List<String> ids = TempGitRepos.trailerValues(REMOTE, "main", "Relay-Event-Id");
        assertThat(ids).as("Relay-Event-Id trailers").doesNotHaveDuplicates();
    }

    /** Replays the branch oldest first: each bump commit's image must not be older than the app's previous one. */
    private static void assertNoEnvironmentMovedBackwards() {
        List<RevCommit> log = new ArrayList<>(TempGitRepos.log(REMOTE, "main"));
        Collections.reverse(log);
        Map<String, Semver> current = new LinkedHashMap<>();
        for (RevCommit commit : log) {
            List<String> app = commit.getFooterLines("Relay-App");
            List<String> image = commit.getFooterLines("Relay-Image");
            if (app.isEmpty() || image.isEmpty()) {
                continue;
            }
            Semver tag = Semver.parse(image.get(0).substring(image.get(0).lastIndexOf(':') + 1));
            Semver before = current.put(app.get(0), tag);
            assertThat(before == null || !tag.isLowerThan(before))
                    .as("%s moved from %s to %s in %s", app.get(0), before, tag, commit.getShortMessage()).isTrue();
        }
    }

    private List<CloudEventHttp.Answer> postConcurrently(List<CloudEvent> events, int threads) throws Exception {
        return CloudEventHttp.postConcurrently(function(), events, threads);
    }

    private URI function() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("relay-never-backwards");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
