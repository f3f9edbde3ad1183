package dev.relay.tests.local;

import static dev.relay.tests.support.BrokerEventLog.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.local.RelayLocalApplication;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.testing.AnnotatedTags;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.GitHttpServer;
import dev.relay.shared.testing.ProducerFixtures;
import dev.relay.shared.testing.TempGitRepos;
import dev.relay.tests.support.BrokerEventLog;
import dev.relay.tests.support.ChainFixtures;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What real producers send, end to end through webhook-ingress and the embedded broker of relay-local, on the payloads
 * of {@code ../shared/fixtures/webhooks/}: a GitHub push of an annotated tag builds the commit the tag points to (not
 * the tag object); Flux's re-notifications of one reconcile, and its notification of Relay's own ledger commit, make
 * one ledger commit and one promotion.pending; a sync of an environment Relay never bumped ends without a dead letter.
 */
@SpringBootTest(classes = {RelayLocalApplication.class, ProducerPayloadsE2E.MockCluster.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.sandbox.enabled=false",
                "relay.ingress.providers.github.secret=" + ProducerPayloadsE2E.GITHUB_SECRET,
                "relay.ingress.providers.flux.secret=" + ProducerPayloadsE2E.FLUX_SECRET})
class ProducerPayloadsE2E {

    static final String GITHUB_SECRET = "gh-e2e-secret";
    static final String FLUX_SECRET = "flux-e2e-secret";
    private static final KubernetesMockServer CLUSTER = ChainFixtures.startCrudCluster();
    private static final Path WORK = ChainFixtures.tempDir("relay-producers");
    private static final Path CONFIG = TempGitRepos.createBare(WORK, "config", overlays());
    private static final Path SOURCE = TempGitRepos.createBare(WORK.resolve("git"), "tagged-app",
            Map.of("site/index.html", "<h1>tagged</h1>\n"));
    private static final AnnotatedTags.Tag RELEASE = AnnotatedTags.create(SOURCE, "main", "v1.0.0", "release 1.0.0");
    private static final GitHttpServer GIT = GitHttpServer.start(WORK.resolve("git"));
    private static final String REGISTRY = "registry.example.com/team/";
    private static final String DIGEST_A = "sha256:" + "a1".repeat(32);
    /** The revision inside the CONSTRUCTED Flux payloads, replaced by the real commit of the test repository. */
    private static final String FLUX_SHA = "ee7e552c59ed4340e7cb527954901312ea607448";
    private static final String FLUX_LEDGER_SHA = "5ad059081b492543b54ee088c6bfce14032805d7";

    @LocalServerPort
    int port;

    @TestConfiguration
    static class MockCluster {
        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient() {
            return CLUSTER.createClient();
        }
    }

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("relay.git.cache-dir", WORK.resolve("cache").toString());
        Path trivy = ChainFixtures.trivyPrinting(WORK, "alpine-310.json.golden");
        ChainFixtures.verifiedPipeline(p, "web-app", REGISTRY + "web-app", TempGitRepos.fileUrl(CONFIG),
                List.of("development", "staging"), env -> overlayPath("web-app", env), trivy);
        p.put("relay.pipelines.web-app.environments[1].approval", "manual");
        ChainFixtures.verifiedPipeline(p, "seed-app", REGISTRY + "seed-app", TempGitRepos.fileUrl(CONFIG),
                List.of("development"), env -> overlayPath("seed-app", env), trivy);
        p.put("relay.pipelines.seed-app.environments[0].pin-digest", "false");
        ChainFixtures.verifiedPipeline(p, "tagged-app", REGISTRY + "tagged-app", TempGitRepos.fileUrl(CONFIG),
                List.of("development"), env -> overlayPath("tagged-app", env), trivy);
        String build = "relay.pipelines.tagged-app.build.";
        p.put("relay.pipelines.tagged-app.source.repository", GIT.url("tagged-app.git"));
        p.put(build + "builder", "local");
        p.put(build + "local.command[0]", "sh");
        p.put(build + "local.command[1]", "-c");
        p.put(build + "local.command[2]", "mkdir -p out && cp -r site/* out/ && echo \"$RELAY_COMMIT\" > out/commit");
        p.put(build + "local.output-dir", "out");
        p.put(build + "local.entrypoint[0]", "/app/server");
        p.put(build + "local.timeout", "60s");
        p.put(build + "local.work-dir", WORK.resolve("build").toString());
        p.forEach((key, value) -> registry.add(key, () -> value));
    }

    @AfterAll
    static void stop() {
        GIT.close();
        CLUSTER.destroy();
        TempGitRepos.deleteTree(WORK);
    }

    @Test
    void shouldBuildTheCommitOfAnAnnotatedTagPushedToGitHub() {
        // derived: the published tag push (octokit ghes-35) with the ids of a real annotated tag of the test
        // repository: `after` is the tag object and head_commit.id the commit, as GitHub sends an annotated tag
        String text = ProducerFixtures.webhookText("github/octokit_ghes-35_push_payload.json");
        String published = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
        assertThat(text).contains("\"after\": \"" + published + "\"").contains("\"refs/tags/simple-tag\"")
                .contains("\"https://octocoders.github.io/Codertocat/Hello-World.git\"");
        byte[] body = text.replace(published, RELEASE.commit())
                .replace("\"after\": \"" + RELEASE.commit() + "\"", "\"after\": \"" + RELEASE.tagObject() + "\"")
                .replace("\"refs/tags/simple-tag\"", "\"refs/tags/v1.0.0\"")
                .replace("\"https://octocoders.github.io/Codertocat/Hello-World.git\"",
                        "\"" + GIT.url("tagged-app.git") + "\"")
                .getBytes(StandardCharsets.UTF_8);
        String delivery = UUID.randomUUID().toString();

        CloudEventHttp.Answer answer = webhook("github", Map.of("X-GitHub-Event", "push",
                "X-GitHub-Delivery", delivery, "X-Hub-Signature-256", "sha256=" + hmac(GITHUB_SECRET, body)), body);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        Map<String, Object> pushed = awaitEvent(RelayEventTypes.IMAGE_PUSHED,
                e -> ("github-" + delivery).equals(trace(e)));
        assertThat(pushed).containsEntry("image", REGISTRY + "tagged-app").containsEntry("tag", "v1.0.0")
                .containsEntry("sourceCommit", RELEASE.commit());
        assertThat(events()).filteredOn(e -> ("github-" + delivery).equals(trace(e)))
                .extracting(e -> e.get("type")).doesNotContain(RelayEventTypes.BUILD_FAILED);
        assertThat(deadLetters("tagged-app")).isEmpty();
    }

    @Test
    void shouldRecordAndPromoteOnceWhateverFluxReNotifies() {
        publish(CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED,
                        new Payloads.ImagePushed(REGISTRY + "web-app", "1.0.0", DIGEST_A, "registry.example.com", null))
                .withId("push-web-app-1-0-0").withExtension(RelayExtensions.APP, "web-app").build());
        await().atMost(Duration.ofSeconds(60)).until(() -> manifest("web-app", "development").contains(DIGEST_A));
        String bump = lastCommitTouching(overlayPath("web-app", "development"));
        runs("web-app", "development", DIGEST_A);

        // ten notifications of one reconcile of the bump: the three CONSTRUCTED intervals, and seven more intervals
        // derived from them by their timestamp, each with the revision of the real bump commit
        List<byte[]> notifications = new ArrayList<>();
        for (String interval : List.of("t0", "t0_plus_10m", "t0_plus_20m")) {
            notifications.add(flux("flux/CONSTRUCTED_dev_sync_" + interval + ".json", FLUX_SHA, bump, null));
        }
        for (int hour = 3; hour <= 9; hour++) {
            notifications.add(flux("flux/CONSTRUCTED_dev_sync_t0.json", FLUX_SHA, bump,
                    "2026-11-30T0" + hour + ":23:00Z"));
        }
        List<String> ids = new ArrayList<>();
        for (byte[] notification : notifications) {
            ids.addAll(postFlux(notification));
        }
        assertThat(ids).hasSize(10).doesNotHaveDuplicates();
        awaitHandled(ids);
        String ledger = VerificationLedger.path("web-app", "development");
        List<RevCommit> verified = commitsTouching(ledger);
        assertThat(verified).hasSize(1);

        ids = postFlux(flux("flux/CONSTRUCTED_dev_sync_after_relay_ledger_commit.json", FLUX_LEDGER_SHA,
                verified.get(0).getName(), null));
        awaitHandled(ids);

        assertThat(commitsTouching(ledger)).hasSize(1);
        assertThat(verified.get(0).getShortMessage()).isEqualTo("verified(web-app/development): 1.0.0");
        awaitEvent(RelayEventTypes.PROMOTION_PENDING, e -> "web-app".equals(extension(e, RelayExtensions.APP)));
        assertThat(events()).filteredOn(e -> RelayEventTypes.VERIFY_PASSED.equals(e.get("type"))
                && "web-app".equals(extension(e, RelayExtensions.APP))).hasSize(1);
        assertThat(events()).filteredOn(e -> RelayEventTypes.PROMOTION_PENDING.equals(e.get("type"))
                && "web-app".equals(extension(e, RelayExtensions.APP))).hasSize(1);
        assertThat(manifest("web-app", "staging")).doesNotContain(DIGEST_A);
        assertThat(deadLetters("web-app")).isEmpty();
    }

    @Test
    void shouldEndTheSyncOfAnEnvironmentRelayNeverBumpedWithoutADeadLetter() {
        // derived: the CONSTRUCTED reconcile notification for a Kustomization of seed-app, whose overlay is as seeded
        // (a tag, no digest, pin-digest false) and whose Deployment is not (yet) where Relay looks
        String seed = lastCommitTouching(overlayPath("seed-app", "development"));
        byte[] body = new String(flux("flux/CONSTRUCTED_dev_sync_t0.json", FLUX_SHA, seed, null),
                StandardCharsets.UTF_8).replace("\"relay-app\":\"web-app\"", "\"relay-app\":\"seed-app\"")
                .replace("\"name\":\"web-app-development\"", "\"name\":\"seed-app-development\"")
                .getBytes(StandardCharsets.UTF_8);

        List<String> ids = postFlux(body);
        awaitHandled(ids);

        Map<String, Object> answer = awaitEvent(RelayEventTypes.VERIFY_INCONCLUSIVE,
                e -> "seed-app".equals(extension(e, RelayExtensions.APP)));
        assertThat(answer).containsEntry("environment", "development").containsEntry("tag", "0.1.0")
                .doesNotContainKey("digest");
        assertThat((String) answer.get("reason")).contains("digest");
        assertThat(events()).noneMatch(e -> "seed-app".equals(extension(e, RelayExtensions.APP))
                && RelayEventTypes.VERIFY_FAILED.equals(e.get("type")));
        assertThat(deadLetters("seed-app")).isEmpty();
        assertThat(commitsTouching(VerificationLedger.path("seed-app", "development"))).isEmpty();
    }

    /** A CONSTRUCTED Flux payload with its revision's commit replaced by a real one (and its timestamp, if given). */
    private static byte[] flux(String fixture, String constructedSha, String realSha, String timestamp) {
        String text = ProducerFixtures.webhookText(fixture);
        assertThat(text).contains("@sha1:" + constructedSha);
        text = text.replace(constructedSha, realSha);
        if (timestamp != null) {
            text = text.replaceFirst("\"timestamp\":\"[^\"]+\"", "\"timestamp\":\"" + timestamp + "\"");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private List<String> postFlux(byte[] body) {
        CloudEventHttp.Answer answer = webhook("flux", Map.of("Gotk-Component", "kustomize-controller",
                "X-Signature", "sha256=" + hmac(FLUX_SECRET, body)), body);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        return (List<String>) answer.json().get("ids");
    }

    /** Waits until on-sync-verify has answered every one of the sync events {@code ids} (2xx), replies logged. */
    @SuppressWarnings("unchecked")
    private void awaitHandled(List<String> ids) {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            List<Map<String, Object>> events = events();
            List<Object> logged = events.stream().map(e -> e.get("id")).toList();
            List<Map<String, Object>> delivered = events.stream().filter(e -> ids.contains(e.get("id")))
                    .flatMap(e -> ((List<Map<String, Object>>) e.get("deliveries")).stream())
                    .filter(d -> "delivered".equals(d.get("outcome"))).toList();
            return delivered.size() >= ids.size() && delivered.stream()
                    .allMatch(d -> d.get("replyId") == null || logged.contains(d.get("replyId")));
        });
    }

    private void runs(String app, String environment, String digest) {
        String namespace = app + "-" + environment;
        String image = REGISTRY + app + "@" + digest;
        try (KubernetesClient client = CLUSTER.createClient()) {
            client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                    .withNewMetadata().withName(app).withNamespace(namespace).withGeneration(1L).endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", app).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec()
                    .addNewContainer().withName(app).withImage(image).endContainer()
                    .endSpec().endTemplate().endSpec()
                    .withNewStatus().withObservedGeneration(1L).withReplicas(1).withUpdatedReplicas(1)
                    .withReadyReplicas(1).withAvailableReplicas(1).endStatus().build()).createOr(r -> r.update());
            client.pods().inNamespace(namespace).resource(new PodBuilder()
                    .withNewMetadata().withName(app + "-1").withNamespace(namespace).addToLabels("app", app)
                    .endMetadata()
                    .withNewSpec().addNewContainer().withName(app).withImage(image).endContainer().endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .withContainerStatuses(new ContainerStatusBuilder().withName(app).withReady(true)
                            .withImage(image).withImageID(image).build())
                    .endStatus().build()).createOr(r -> r.update());
        }
    }

    private Map<String, Object> awaitEvent(String type, Predicate<Map<String, Object>> matching) {
        await().atMost(Duration.ofSeconds(90)).until(() -> events().stream()
                .anyMatch(e -> type.equals(e.get("type")) && matching.test(e)));
        return data(events().stream().filter(e -> type.equals(e.get("type")) && matching.test(e)).findFirst()
                .orElseThrow());
    }

    private void publish(io.cloudevents.CloudEvent event) {
        assertThat(CloudEventHttp.post(URI.create(base() + "/broker"), event).status()).isEqualTo(202);
    }

    private CloudEventHttp.Answer webhook(String producer, Map<String, String> headers, byte[] body) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Content-Type", "application/json");
        return CloudEventHttp.postRaw(URI.create(base() + "/webhooks/" + producer), all, body);
    }

    private List<Map<String, Object>> events() {
        return BrokerEventLog.events(base(), 1000);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> deadLetters(String app) {
        List<Map<String, Object>> all = EventPayloads.mapper().readValue(
                CloudEventHttp.get(URI.create(base() + "/broker/dead-letters")).body(), List.class);
        return all.stream().filter(d -> app.equals(extension(d, RelayExtensions.APP))).toList();
    }

    @SuppressWarnings("unchecked")
    private static String extension(Map<String, Object> event, String name) {
        Object extensions = event.get("extensions");
        return extensions instanceof Map<?, ?> map ? (String) ((Map<String, Object>) map).get(name) : null;
    }

    private static String trace(Map<String, Object> event) {
        return extension(event, RelayExtensions.TRACE);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static String manifest(String app, String environment) {
        return TempGitRepos.read(CONFIG, "main", overlayPath(app, environment)).orElseThrow();
    }

    private static String lastCommitTouching(String path) {
        return commitsTouching(path).get(0).getName();
    }

    /** Commits of the config repository's main that change {@code path}, newest first. */
    private static List<RevCommit> commitsTouching(String path) {
        try (Git git = Git.open(CONFIG.toFile())) {
            List<RevCommit> touching = new ArrayList<>();
            git.log().add(git.getRepository().resolve("refs/heads/main")).addPath(path).call()
                    .forEach(touching::add);
            return touching;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String overlayPath(String app, String environment) {
        return "apps/" + app + "/overlays/" + environment + "/kustomization.yaml";
    }

    private static Map<String, String> overlays() {
        Map<String, String> files = new HashMap<>();
        for (String app : List.of("web-app", "seed-app", "tagged-app")) {
            for (String environment : List.of("development", "staging")) {
                files.put(overlayPath(app, environment), """
                        # %1$s in %2$s
                        apiVersion: kustomize.config.k8s.io/v1beta1
                        kind: Kustomization
                        resources:
                          - ../../base
                        images:
                          - name: registry.example.com/team/%1$s
                            newTag: "0.1.0"
                        """.formatted(app, environment));
            }
        }
        return files;
    }

    private static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
