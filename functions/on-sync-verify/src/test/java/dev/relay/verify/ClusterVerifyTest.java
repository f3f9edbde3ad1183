package dev.relay.verify;

import static dev.relay.verify.VerifyFixtures.APP;
import static dev.relay.verify.VerifyFixtures.DIGEST;
import static dev.relay.verify.VerifyFixtures.ENV;
import static dev.relay.verify.VerifyFixtures.IMAGE;
import static dev.relay.verify.VerifyFixtures.OLD_DIGEST;
import static dev.relay.verify.VerifyFixtures.OLD_TAG;
import static dev.relay.verify.VerifyFixtures.OVERLAY;
import static dev.relay.verify.VerifyFixtures.TAG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.EventRetryableException;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * on-sync-verify against fabric8's mock API server in CRUD mode (Deployments, Pods, Argo CD Applications) and a real
 * temporary config repository: each test seeds one namespace, applies a sync.succeeded and reads the answer, the
 * ledger and the counters back. Nothing sleeps: the verifier's pauses advance a test clock.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterVerifyTest {

    private static final Path NO_FILE = Path.of("/nonexistent/relay");

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path temp;

    Path remote;
    String initial;
    HttpServer http;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MutableClock clock = new MutableClock();
    final AtomicInteger sleeps = new AtomicInteger();
    Runnable onSleep = () -> { };

    @BeforeEach
    void argoCdIsInstalledAndTheConfigRepositoryExists() {
        server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("argoproj.io")
                .withVersion("v1alpha1").withKind("Application").withPlural("applications").withScope("Namespaced")
                .build());
        remote = TempGitRepos.createBare(temp, "config", VerifyFixtures.repositoryFiles());
        initial = TempGitRepos.log(remote, "main").get(0).getName();
    }

    @AfterEach
    void stopHttp() {
        if (http != null) {
            http.stop(0);
        }
    }

    @Test
    void shouldPassAHealthyRolloutRecordTheLedgerOnceAndAnswerPassedAgainOnRedelivery() {
        String ns = "healthy";
        seedHealthy(ns, 2);
        client.genericKubernetesResources(ArgoApplication.APPLICATIONS).inNamespace("argocd")
                .resource(VerifyFixtures.application("argocd", "Healthy", "Synced", initial)).create();
        String smoke = smokeServer(200, "{\"status\":\"UP\"}") + "/healthz";
        Map<String, String> p = properties(ns);
        p.put(env("verify.argocd.enabled"), "true");
        p.put(env("verify.smoke[0].url"), smoke);
        p.put(env("verify.smoke[0].body-contains"), "UP");
        SyncVerifyFunction function = function(p);
        CloudEvent event = VerifyFixtures.syncSucceeded(ENV, initial);

        CloudEvent answer = function.apply(event);

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(answer.getSource()).hasToString("/relay/on-sync-verify");
        assertThat(answer.getExtension("relayapp")).isEqualTo(APP);
        assertThat(answer.getExtension("relayenv")).isEqualTo(ENV);
        assertThat(answer.getExtension("relaytrace")).isEqualTo("trace-" + initial.substring(0, 8));
        Map<String, Object> data = data(answer);
        assertThat(data).containsEntry("app", APP).containsEntry("environment", ENV).containsEntry("image", IMAGE)
                .containsEntry("tag", TAG).containsEntry("digest", DIGEST);
        assertThat(checks(answer)).extracting(c -> c.get("name")).containsExactly("deployment-rollout", "pods-image",
                "argocd-application", "smoke:" + smoke);
        assertThat(checks(answer)).allSatisfy(c -> assertThat(c.get("ok")).isEqualTo(true));
        assertThat((String) checks(answer).get(1).get("detail")).contains("2 ready pod(s) run")
                .contains("at revision " + initial.substring(0, 12));

        List<RevCommit> log = TempGitRepos.log(remote, "main");
        assertThat(log).hasSize(2);
        RevCommit ledger = log.get(0);
        assertThat(ledger.getFooterLines(VerificationLedger.VERIFIED_DIGEST)).containsExactly(DIGEST);
        assertThat(ledger.getFooterLines(VerificationLedger.VERIFIED_IMAGE)).containsExactly(IMAGE + ":" + TAG);
        assertThat(ledger.getFooterLines(VerificationLedger.VERIFIED_REVISION)).containsExactly(initial);
        assertThat(ledger.getFooterLines("Relay-Event-Id")).containsExactly(event.getId());
        assertThat(ledger.getFooterLines("Relay-Trace")).containsExactly("trace-" + initial.substring(0, 8));
        assertThat(TempGitRepos.read(remote, "main", VerificationLedger.path(APP, ENV))).get().asString()
                .contains("digest: " + DIGEST).contains("tag: \"" + TAG + "\"");

        CloudEvent again = function.apply(event);

        assertThat(again.getType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(data(again)).containsEntry("digest", DIGEST);
        assertThat(TempGitRepos.log(remote, "main")).hasSize(2);
        assertThat(registry.get("relay.verify.checks").tags("check", "smoke", "outcome", "pass").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("relay.verify.checks").tags("check", "pods-image", "outcome", "pass").counter()
                .count()).isEqualTo(2.0);
        assertThat(registry.get("relay.dora.deployments").tag("app", APP).counter().count())
                .as("development is not the pipeline's last environment: no DORA deployment").isZero();
    }

    @Test
    void shouldAnswer503AfterTheDeadlineWhileTheObservedGenerationIsStale() {
        String ns = "stale";
        seedHealthy(ns, 2);
        Deployment deployment = client.apps().deployments().inNamespace(ns).withName(APP).get();
        long generation = deployment.getMetadata().getGeneration();
        deployment.getStatus().setObservedGeneration(generation - 1);
        client.apps().deployments().inNamespace(ns).resource(deployment).updateStatus();
        Map<String, String> p = properties(ns);
        p.put(env("verify.deadline"), "200ms");
        p.put(env("verify.poll-interval"), "50ms");

        assertThatThrownBy(() -> function(p).apply(VerifyFixtures.syncSucceeded(ENV, initial)))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.problemType()).isEqualTo("rollout-in-progress");
                    assertThat(e.detail()).contains("observedGeneration " + (generation - 1) + " < generation " + generation)
                            .contains("PT0.2S");
                });
        assertThat(sleeps).hasValue(3);
        assertThat(TempGitRepos.log(remote, "main")).hasSize(1);
        assertThat(registry.get("relay.verify.checks").tags("check", "deployment-rollout", "outcome", "in-progress")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldPassARolloutThatCompletesBeforeTheDeadline() {
        String ns = "completing";
        seedHealthy(ns, 2);
        Deployment deployment = client.apps().deployments().inNamespace(ns).withName(APP).get();
        deployment.setStatus(new DeploymentStatusBuilder(deployment.getStatus()).withUpdatedReplicas(1)
                .withAvailableReplicas(1).withReadyReplicas(1).withReplicas(3).build());
        client.apps().deployments().inNamespace(ns).resource(deployment).updateStatus();
        onSleep = () -> {
            Deployment current = client.apps().deployments().inNamespace(ns).withName(APP).get();
            current.setStatus(VerifyFixtures.deployment(ns, 2).build().getStatus());
            client.apps().deployments().inNamespace(ns).resource(current).updateStatus();
        };
        Map<String, String> p = properties(ns);
        p.put(env("verify.deadline"), "10s");

        CloudEvent answer = function(p).apply(VerifyFixtures.syncSucceeded(ENV, initial));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(sleeps).hasValue(1);
    }

    @Test
    void shouldFailNamingDeploymentRolloutWhenTooFewReplicasAreAvailableAfterTheProgressDeadline() {
        String ns = "deadline";
        seedHealthy(ns, 3);
        Deployment deployment = client.apps().deployments().inNamespace(ns).withName(APP).get();
        deployment.setStatus(new DeploymentStatusBuilder(deployment.getStatus()).withAvailableReplicas(1)
                .withReadyReplicas(1).withConditions(List.of()).addNewCondition().withType("Progressing")
                .withStatus("False").withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"web-app-7d9f\" has timed out progressing.").endCondition().build());
        client.apps().deployments().inNamespace(ns).resource(deployment).updateStatus();

        CloudEvent answer = function(properties(ns)).apply(VerifyFixtures.syncSucceeded(ENV, initial));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_FAILED);
        assertThat(answer.getSource()).hasToString("/relay/on-sync-verify");
        assertThat(failed(answer)).containsExactly("deployment-rollout");
        assertThat(detail(answer, "deployment-rollout")).contains("progress deadline")
                .contains("available 1").contains("timed out progressing");
        assertThat(TempGitRepos.log(remote, "main")).hasSize(1);
    }

    @Test
    void shouldFailNamingPodsImageWhenAReadyPodRunsTheOldImage() {
        String ns = "old-image";
        seedHealthy(ns, 2);
        client.pods().inNamespace(ns).withName("web-app-1").delete();
        client.pods().inNamespace(ns).resource(VerifyFixtures.pod(ns, "web-app-old", IMAGE + ":" + OLD_TAG,
                "docker-pullable://" + IMAGE + "@" + OLD_DIGEST)).create();

        CloudEvent answer = function(properties(ns)).apply(VerifyFixtures.syncSucceeded(ENV, initial));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_FAILED);
        assertThat(failed(answer)).containsExactly("pods-image");
        assertThat(detail(answer, "pods-image")).contains("1 of 2 ready pod(s)").contains("web-app-old")
                .contains(IMAGE + ":" + OLD_TAG).doesNotContain("web-app-0 ");
        assertThat(TempGitRepos.log(remote, "main")).hasSize(1);
    }

    @Test
    void shouldFailNamingArgocdApplicationWhenItIsDegraded() {
        String ns = "argo-degraded";
        seedHealthy(ns, 2);
        client.genericKubernetesResources(ArgoApplication.APPLICATIONS).inNamespace("argocd-degraded")
                .resource(VerifyFixtures.application("argocd-degraded", "Degraded", "Synced", initial)).create();
        Map<String, String> p = properties(ns);
        p.put(env("verify.argocd.enabled"), "true");
        p.put(env("verify.argocd.namespace"), "argocd-degraded");

        CloudEvent answer = function(p).apply(VerifyFixtures.syncSucceeded(ENV, initial));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_FAILED);
        assertThat(failed(answer)).containsExactly("argocd-application");
        assertThat(detail(answer, "argocd-application")).contains("health Degraded");
    }

    @Test
    void shouldAnswerNothingForAStaleSyncWhenTheApplicationIsAlreadySyncedToANewerRevision() {
        String ns = "argo-newer";
        seedHealthy(ns, 2);
        String newer = "9".repeat(40);
        client.genericKubernetesResources(ArgoApplication.APPLICATIONS).inNamespace("argocd-newer")
                .resource(VerifyFixtures.application("argocd-newer", "Healthy", "Synced", newer)).create();
        Map<String, String> p = properties(ns);
        p.put(env("verify.argocd.enabled"), "true");
        p.put(env("verify.argocd.namespace"), "argocd-newer");

        CloudEvent answer = function(p).apply(VerifyFixtures.syncSucceeded(ENV, initial));

        assertThat(answer).isNull();
        assertThat(TempGitRepos.log(remote, "main")).hasSize(1);
    }

    @Test
    void shouldFailNamingTheSmokeCheckWhenTheEndpointAnswers500() {
        String ns = "smoke";
        seedHealthy(ns, 1);
        String url = smokeServer(500, "boom") + "/healthz";
        Map<String, String> p = properties(ns);
        p.put(env("verify.smoke[0].url"), url);
        p.put(env("verify.smoke[0].timeout"), "2s");

        CloudEvent answer = function(p).apply(VerifyFixtures.syncSucceeded(ENV, initial));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_FAILED);
        assertThat(failed(answer)).containsExactly("smoke:" + url);
        assertThat(detail(answer, "smoke:" + url)).contains("answered 500, expected 200");
        assertThat(registry.get("relay.verify.checks").tags("check", "smoke", "outcome", "fail").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldVerifyAgainstTheManifestAtTheSyncedRevisionNotTheNewerHead() {
        String ns = "revision";
        seedHealthy(ns, 2);
        TempGitRepos.pushFromOtherClone(remote, "main",
                Map.of(OVERLAY, VerifyFixtures.overlay("1.5.0", OLD_DIGEST.replace('0', 'e'))), "bump to 1.5.0");

        CloudEvent atRevision = function(properties(ns)).apply(VerifyFixtures.syncSucceeded(ENV, initial));

        assertThat(atRevision.getType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(data(atRevision)).containsEntry("tag", TAG).containsEntry("digest", DIGEST);

        String unknown = "0123456789abcdef0123456789abcdef01234567";
        CloudEvent atHead = function(properties(ns)).apply(VerifyFixtures.syncSucceeded(ENV, unknown));

        assertThat(atHead.getType()).isEqualTo(RelayEventTypes.VERIFY_FAILED);
        assertThat(detail(atHead, "pods-image")).contains(":1.5.0@").contains("at the head of main")
                .contains("revision " + unknown + " is not in the cached history");
    }

    @Test
    void shouldRecordAndAnnounceADeploymentOnceWhateverTheNumberOfNotifications() {
        String ns = "renotified";
        seedHealthy(ns, 1);
        SyncVerifyFunction function = function(properties(ns));
        CloudEvent first = VerifyFixtures.syncSucceeded(ENV, "main@sha1:" + initial);

        assertThat(function.apply(first).getType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        String ledgerCommit = TempGitRepos.log(remote, "main").get(0).getName();
        CloudEvent nextInterval = VerifyFixtures.syncSucceeded(ENV, "main@sha1:" + initial);
        CloudEvent ownLedgerCommit = VerifyFixtures.syncSucceeded(ENV, "main@sha1:" + ledgerCommit);

        assertThat(function.apply(nextInterval)).isNull();
        assertThat(function.apply(ownLedgerCommit)).isNull();
        assertThat(TempGitRepos.log(remote, "main")).hasSize(2);
        assertThat(registry.get("relay.verify.outcomes").tag("outcome", "already-verified").counter().count())
                .isEqualTo(2.0);
        CloudEvent redelivered = function.apply(first);
        assertThat(redelivered.getType()).as("a redelivery answers as before").isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(TempGitRepos.log(remote, "main")).hasSize(2);
    }

    @Test
    void shouldVerifyAgainWhenTheManifestChangedAndChangedBackInBetween() {
        String ns = "rolled-back";
        seedHealthy(ns, 1);
        SyncVerifyFunction function = function(properties(ns));
        assertThat(function.apply(VerifyFixtures.syncSucceeded(ENV, initial)).getType())
                .isEqualTo(RelayEventTypes.VERIFY_PASSED);
        TempGitRepos.pushFromOtherClone(remote, "main",
                Map.of(OVERLAY, VerifyFixtures.overlay("1.5.0", OLD_DIGEST.replace('0', 'e'))), "bump to 1.5.0");
        String back = TempGitRepos.pushFromOtherClone(remote, "main", Map.of(OVERLAY, VerifyFixtures.overlay(TAG, DIGEST)),
                "rollback to " + TAG);

        CloudEvent answer = function.apply(VerifyFixtures.syncSucceeded(ENV, back));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(TempGitRepos.log(remote, "main").get(0).getFooterLines(VerificationLedger.VERIFIED_REVISION))
                .containsExactly(back);
    }

    @Test
    void shouldAnswerInconclusiveNotFailedWhenTheImageHasNoKnownDigest() {
        TempGitRepos.pushFromOtherClone(remote, "main", Map.of(OVERLAY, VerifyFixtures.overlay(TAG, DIGEST)
                .replace("    digest: " + DIGEST + "\n", "")), "seed state: a tag only");
        String seeded = TempGitRepos.log(remote, "main").get(0).getName();
        Map<String, String> p = properties("never-deployed");
        p.put(env("pin-digest"), "false");

        CloudEvent answer = function(p).apply(VerifyFixtures.syncSucceeded(ENV, seeded));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_INCONCLUSIVE);
        assertThat(data(answer)).containsEntry("tag", TAG).containsEntry("checksPassed", false)
                .doesNotContainKey("digest");
        assertThat((String) data(answer).get("reason")).contains("digest of " + IMAGE + ":" + TAG + " is unknown");
        assertThat(failed(answer)).contains("deployment-rollout");
        assertThat(TempGitRepos.log(remote, "main")).hasSize(2);
        assertThat(registry.get("relay.verify.outcomes").tag("outcome", "inconclusive").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldAnswerInconclusiveWhenTheSeedManifestNamesNoImageOfTheApp() {
        String seed = """
                # web-app in development, as seeded: Relay's first bump adds the images entry
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../base
                """;
        String seeded = TempGitRepos.pushFromOtherClone(remote, "main", Map.of(OVERLAY, seed), "seed state");

        CloudEvent answer = function(properties("seeded")).apply(VerifyFixtures.syncSucceeded(ENV, seeded));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.VERIFY_INCONCLUSIVE);
        assertThat(data(answer)).containsEntry("image", IMAGE).containsEntry("checksPassed", false)
                .doesNotContainKey("digest");
        assertThat((String) data(answer).get("reason")).contains("does not say which image should run")
                .contains("has no images: list");
        assertThat(TempGitRepos.log(remote, "main")).hasSize(2);
    }

    @Test
    void shouldAnswer503NamingWhatIsMissingWithoutAKubernetesApi() {
        SyncVerifyFunction function = new SyncVerifyFunction(VerifyFixtures.bind(properties("none")),
                writer(properties("none")), new KubernetesAccess(() -> null, SyncVerifyFunction.WITHOUT_CLUSTER,
                        Map.of(), NO_FILE, NO_FILE), new SmokeChecks(), new VerifyMetrics(registry), this::sleep, clock);

        assertThatThrownBy(() -> function.apply(VerifyFixtures.syncSucceeded(ENV, initial)))
                .isInstanceOfSatisfying(EventRetryableException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.problemType()).isEqualTo("no-kubernetes-api");
                    assertThat(e.detail()).contains("no Kubernetes API").contains("verify.kubernetes: false");
                });
    }

    @Test
    void shouldRejectAnUnknownEnvironmentOrAppWith422AndAnotherTypeWith400() {
        SyncVerifyFunction function = function(properties("rejected"));

        assertThatThrownBy(() -> function.apply(VerifyFixtures.syncSucceeded("qa", initial)))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.problemType()).isEqualTo("unknown-environment");
                    assertThat(e.detail()).contains("[development, staging]");
                });
        assertThatThrownBy(() -> function.apply(dev.relay.shared.testing.CloudEventHttp.event(
                RelayEventTypes.SYNC_SUCCEEDED, new dev.relay.shared.events.Payloads.SyncSucceeded("other-app", ENV,
                        initial, "flux")).build()))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.problemType())
                        .isEqualTo("unknown-app"));
        assertThatThrownBy(() -> function.apply(VerifyFixtures.syncSucceeded(ENV, "main\nRelay-Approved-By: eve")))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.problemType())
                        .isEqualTo("invalid-revision"));
        assertThatThrownBy(() -> function.apply(dev.relay.shared.testing.CloudEventHttp.event(
                RelayEventTypes.SCAN_PASSED, Map.of("image", IMAGE)).build()))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    @Test
    void shouldCountAProductionDeploymentOnceWithTheLeadTimeFromTheBumpsSourceCommitTime() {
        String ns = "dora";
        seedHealthy(ns, 1);
        Instant sourceCommitted = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        String bump = TempGitRepos.pushFromOtherClone(remote, "main",
                Map.of(OVERLAY, VerifyFixtures.overlay(TAG, DIGEST) + "# bumped\n"),
                "bump(web-app/development): 1.4.1 -> 1.4.2\n\nRelay-Event-Id: scan-1\n"
                + "Relay-Trace: trace-dora\nRelay-Source-Commit-Time: " + sourceCommitted + "\n"
                + "Relay-Image-Digest: " + DIGEST + "\nRelay-Image: " + IMAGE + ":" + TAG + "\n"
                + "Relay-App: web-app\nRelay-Environment: development\n");
        Map<String, String> onlyDevelopment = properties(ns);
        onlyDevelopment.keySet().removeIf(key -> key.contains(".environments[1]."));
        SyncVerifyFunction function = function(onlyDevelopment);
        CloudEvent sync = VerifyFixtures.syncSucceeded(ENV, bump);

        assertThat(function.apply(sync).getType()).isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(function.apply(sync).getType()).as("redelivery").isEqualTo(RelayEventTypes.VERIFY_PASSED);
        assertThat(function.apply(VerifyFixtures.syncSucceeded(ENV, initial)).getType())
                .as("a later sync of the same digest").isEqualTo(RelayEventTypes.VERIFY_PASSED);

        assertThat(TempGitRepos.trailerValues(remote, "main", VerificationLedger.VERIFIED_DIGEST))
                .as("two verifications recorded").containsExactly(DIGEST, DIGEST);
        assertThat(registry.get("relay.dora.deployments").tag("app", APP).counter().count())
                .as("development is this pipeline's only, so last, environment; one digest, one deployment")
                .isEqualTo(1.0);
        Timer leadTime = registry.get("relay.dora.lead.time").tag("app", APP).timer();
        assertThat(leadTime.count()).isEqualTo(1);
        assertThat(leadTime.totalTime(TimeUnit.SECONDS)).as("an hour, plus the seconds this test took")
                .isBetween(3600.0, 3600.0 + 300);
        assertThat(registry.get("relay.dora.lead.time.unknown").tag("app", APP).counter().count()).isZero();
    }

    private void seedHealthy(String ns, int replicas) {
        client.apps().deployments().inNamespace(ns).resource(VerifyFixtures.deployment(ns, replicas).build()).create();
        Deployment created = client.apps().deployments().inNamespace(ns).withName(APP).get();
        if (created.getStatus() == null || created.getStatus().getReadyReplicas() == null) {
            created.setStatus(VerifyFixtures.deployment(ns, replicas).build().getStatus());
            client.apps().deployments().inNamespace(ns).resource(created).updateStatus();
        }
        for (int i = 0; i < replicas; i++) {
            client.pods().inNamespace(ns).resource(VerifyFixtures.currentPod(ns, APP + "-" + i)).create();
        }
        // a pod of another app with an old image: the selector must leave it out
        Pod other = VerifyFixtures.pod(ns, "other-app-0", IMAGE + ":" + OLD_TAG, "");
        other.getMetadata().setLabels(Map.of("app", "other-app"));
        client.pods().inNamespace(ns).resource(other).create();
    }

    private Map<String, String> properties(String namespace) {
        return new HashMap<>(VerifyFixtures.properties(TempGitRepos.fileUrl(remote), temp.resolve("cache").toString(),
                namespace));
    }

    private static String env(String key) {
        return "relay.pipelines." + APP + ".environments[0]." + key;
    }

    private GitOpsWriter writer(Map<String, String> properties) {
        return new GitOpsWriter(VerifyFixtures.bind(properties).git().toWriterSettings());
    }

    private SyncVerifyFunction function(Map<String, String> properties) {
        RelayProperties bound = VerifyFixtures.bind(properties);
        return new SyncVerifyFunction(bound, new GitOpsWriter(bound.git().toWriterSettings()),
                new KubernetesAccess(() -> client, SyncVerifyFunction.WITHOUT_CLUSTER, Map.of(), NO_FILE, NO_FILE),
                new SmokeChecks(), new VerifyMetrics(registry), this::sleep, clock);
    }

    private void sleep(Duration duration) {
        sleeps.incrementAndGet();
        clock.advance(duration);
        onSleep.run();
    }

    private String smokeServer(int status, String body) {
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        http.createContext("/healthz", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        http.start();
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(CloudEvent event) {
        return EventPayloads.mapper().readValue(event.getData().toBytes(), Map.class);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> checks(CloudEvent event) {
        return (List<Map<String, Object>>) data(event).get("checks");
    }

    static List<Object> failed(CloudEvent event) {
        return checks(event).stream().filter(c -> !Boolean.TRUE.equals(c.get("ok"))).map(c -> c.get("name")).toList();
    }

    static String detail(CloudEvent event, String check) {
        return checks(event).stream().filter(c -> check.equals(c.get("name"))).map(c -> (String) c.get("detail"))
                .findFirst().orElseThrow(() -> new AssertionError("no check " + check + " in " + checks(event)));
    }

    /** A clock the test's sleeper advances. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-25T12:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
