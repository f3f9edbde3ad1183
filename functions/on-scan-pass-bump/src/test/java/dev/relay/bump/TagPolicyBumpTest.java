package dev.relay.bump;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** scan.passed under a pipeline's tag policy, against a real bare config repository and a one-commit-deep cache. */
class TagPolicyBumpTest {

    private static final String PRODUCTION = "apps/timed/overlays/production/kustomization.yaml";

    @TempDir
    Path dir;

    private Path remote;
    private ScanPassBumpFunction function;

    @BeforeEach
    void pipelines() {
        Map<String, String> files = new LinkedHashMap<>();
        for (String app : List.of("versioned", "timed", "plain")) {
            files.put(BumpFixtures.overlayPath(app), BumpFixtures.overlay(app));
        }
        files.put(PRODUCTION, BumpFixtures.overlay("timed"));
        remote = TempGitRepos.createBare(dir, "config", files);
        Map<String, String> source = new HashMap<>();
        for (String app : List.of("versioned", "timed", "plain")) {
            String prefix = "relay.pipelines." + app + ".";
            source.put(prefix + "image", BumpFixtures.REGISTRY + app);
            source.put(prefix + "config-repo.url", TempGitRepos.fileUrl(remote));
            source.put(prefix + "environments[0].name", "development");
            source.put(prefix + "environments[0].path", BumpFixtures.overlayPath(app));
        }
        source.put("relay.pipelines.versioned.tags.pattern", "^v(?<version>.+)$");
        source.put("relay.pipelines.versioned.tags.extract", "$version");
        source.put("relay.pipelines.versioned.tags.order", "semver");
        source.put("relay.pipelines.versioned.tags.range", ">=1.0.0 <2.0.0");
        source.put("relay.pipelines.timed.tags.order", "source-commit-time");
        source.put("relay.pipelines.timed.environments[1].name", "production");
        source.put("relay.pipelines.timed.environments[1].path", PRODUCTION);
        source.put("relay.pipelines.plain.environments[0].pin-digest", "true");
        source.put("relay.git.cache-dir", dir.resolve("cache").toString());
        source.put("relay.git.depth", "1");
        RelayProperties properties = new Binder(new MapConfigurationPropertySource(source))
                .bind("relay", RelayProperties.class).get();
        function = new ScanPassBumpFunction(properties, new GitOpsWriter(properties.git().toWriterSettings()));
    }

    @Test
    void shouldFilterTagsOutsideThePatternOrRangeAndSupersedeOlderVersions() {
        assertThat(bump("versioned", "v1.2.0", null).getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        int commits = commits();

        Payloads.Manifest older = answer(bump("versioned", "v1.10.0-rc.1", null));
        Payloads.Manifest stale = answer(bump("versioned", "v1.1.9", null));
        Payloads.Manifest branch = answer(bump("versioned", "main-abc123", null));
        Payloads.Manifest major = answer(bump("versioned", "v2.0.0", null));

        assertThat(older.reason()).as("a pre-release outside the range").isEqualTo("filtered");
        assertThat(stale.reason()).isEqualTo("superseded");
        assertThat(stale.newerImage()).isEqualTo(BumpFixtures.REGISTRY + "versioned:v1.2.0@"
                + BumpFixtures.digestFor("v1.2.0"));
        assertThat(branch.reason()).isEqualTo("filtered");
        assertThat(major.reason()).isEqualTo("filtered");
        assertThat(commits()).isEqualTo(commits);
        assertThat(manifest("versioned")).contains("newTag: 'v1.2.0'");
        assertThat(bump("versioned", "v1.10.0", null).getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(manifest("versioned")).contains("newTag: 'v1.10.0'");
    }

    @Test
    void shouldOrderBySourceCommitTimeAndTreatALaterRePushOfATagAsNewer() {
        assertThat(bump("timed", "b", "2026-11-02T10:00:00Z").getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(bump("timed", "a", "2026-11-03T10:00:00Z").getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);

        assertThat(answer(bump("timed", "c", "2026-11-01T10:00:00Z")).reason()).isEqualTo("superseded");
        assertThat(answer(bump("timed", "z", null)).reason()).isEqualTo("filtered");
        assertThat(manifest("timed")).contains("newTag: 'a'");

        String firstPush = BumpFixtures.digestFor("first push");
        String secondPush = BumpFixtures.digestFor("second push");
        assertThat(bump("plain", "1.0.1", firstPush, "2026-11-04T10:00:00Z").getType())
                .isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(bump("plain", "1.0.1", secondPush, "2026-11-05T10:00:00Z").getType())
                .isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(answer(bump("plain", "1.0.1", firstPush, "2026-11-04T10:00:00Z")).reason())
                .as("the first push of the tag, scanned again late").isEqualTo("superseded");
        assertThat(manifest("plain")).contains(secondPush);
    }

    @Test
    void shouldPromoteInSourceCommitTimeOrderWithTheTimeTheFirstEnvironmentRecorded() {
        assertThat(bump("timed", "b", "2026-11-02T10:00:00Z").getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(bump("timed", "a", "2026-11-03T10:00:00Z").getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);

        CloudEvent promotedNewer = function.apply(verifyPassed("timed", "a"));
        CloudEvent promotedOlder = function.apply(verifyPassed("timed", "b"));

        assertThat(promotedNewer.getType()).as(promotedNewer.toString()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(answer(promotedOlder).reason()).isEqualTo("superseded");
        assertThat(TempGitRepos.read(remote, "main", PRODUCTION).orElseThrow()).contains("newTag: 'a'");
    }

    @Test
    void shouldNotGoBelowATagSomeoneMovedTheManifestToByHand() {
        TempGitRepos.pushFromOtherClone(remote, "main", Map.of(BumpFixtures.overlayPath("plain"),
                BumpFixtures.overlay("plain").replace("'1.0.0'", "'5.0.0'")), "hand edit: plain to 5.0.0");

        Payloads.Manifest answer = answer(bump("plain", "4.0.0", null));

        assertThat(answer.reason()).isEqualTo("superseded");
        assertThat(answer.newerImage()).isEqualTo(BumpFixtures.REGISTRY + "plain:5.0.0");
    }

    @Test
    void shouldAnswerARedeliveryWithItsOriginalCommitFromAFreshOneCommitDeepCache() {
        CloudEvent event = BumpFixtures.scanPassed("plain", "1.1.0");
        CloudEvent first = function.apply(event);
        assertThat(first.getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        String commit = answer(first).commit();
        for (int i = 1; i <= 5; i++) {
            assertThat(bump("versioned", "v1.0." + i, null).getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        }
        TempGitRepos.deleteTree(dir.resolve("cache"));
        int commits = commits();

        CloudEvent again = function.apply(event);

        assertThat(again.getType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(answer(again).reason()).isEqualTo("already-applied");
        assertThat(answer(again).commit()).isEqualTo(commit);
        assertThat(commits()).isEqualTo(commits);
    }

    private CloudEvent bump(String app, String tag, String sourceCommitTime) {
        return bump(app, tag, BumpFixtures.digestFor(tag), sourceCommitTime);
    }

    private CloudEvent bump(String app, String tag, String digest, String sourceCommitTime) {
        return function.apply(CloudEventHttp.event(RelayEventTypes.SCAN_PASSED, new Payloads.Scan(
                        BumpFixtures.REGISTRY + app, tag, digest, null, "default", List.of(), null, null,
                        sourceCommitTime))
                .withExtension(RelayExtensions.APP, app).withExtension(RelayExtensions.TRACE, "trace-" + app)
                .build());
    }

    private static CloudEvent verifyPassed(String app, String tag) {
        return CloudEventHttp.event(RelayEventTypes.VERIFY_PASSED, new Payloads.Verify(app, "development",
                        BumpFixtures.REGISTRY + app, BumpFixtures.digestFor(tag),
                        List.of(new Payloads.Check("deployment-rollout", true, "1/1 available")), tag))
                .withExtension(RelayExtensions.APP, app).withExtension(RelayExtensions.TRACE, "trace-" + app)
                .build();
    }

    private static Payloads.Manifest answer(CloudEvent event) {
        return EventPayloads.read(event, Payloads.Manifest.class);
    }

    private String manifest(String app) {
        return TempGitRepos.read(remote, "main", BumpFixtures.overlayPath(app)).orElseThrow();
    }

    private int commits() {
        return TempGitRepos.log(remote, "main").size();
    }
}
