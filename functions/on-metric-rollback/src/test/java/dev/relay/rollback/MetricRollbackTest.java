package dev.relay.rollback;

import static dev.relay.rollback.RollbackFixtures.APP;
import static dev.relay.rollback.RollbackFixtures.DIGEST_A;
import static dev.relay.rollback.RollbackFixtures.DIGEST_B;
import static dev.relay.rollback.RollbackFixtures.DIGEST_C;
import static dev.relay.rollback.RollbackFixtures.IMAGE;
import static dev.relay.rollback.RollbackFixtures.OVERLAY;
import static dev.relay.rollback.RollbackFixtures.VALUES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.ledger.RollbackHolds;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollbacks against a real bare config repository: development runs 2.0.0 (digest B) and the ledger records 1.0.0 (A)
 * then 2.0.0 (B) as verified. No Prometheus is configured here, so a breach event is trusted.
 */
class MetricRollbackTest {

    @TempDir
    Path dir;

    private Path remote;
    private RelayProperties properties;
    private GitOpsWriter writer;
    private SimpleMeterRegistry meters;
    private MetricRollbackFunction function;

    @BeforeEach
    void repository() {
        remote = TempGitRepos.createBare(dir, "config", RollbackFixtures.files());
        properties = RollbackFixtures.bind(RollbackFixtures.pipeline(TempGitRepos.fileUrl(remote),
                dir.resolve("cache")));
        writer = new GitOpsWriter(properties.git().toWriterSettings());
        meters = new SimpleMeterRegistry();
        function = new MetricRollbackFunction(properties, writer,
                new SloCheck(new PrometheusClient(PrometheusClient.defaultHttpClient())), meters, Clock.systemUTC());
    }

    @Test
    void shouldRollABreachBackToTheLastVerifiedImageAndHoldTheBadDigestInOneCommit() throws IOException {
        verifiedAAndB("development");
        int before = commits();
        CloudEvent breach = RollbackFixtures.breached("development", "trace-breach-1");

        CloudEvent answer = function.apply(breach);

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        assertThat(answer.getSource().toString()).isEqualTo("/relay/on-metric-rollback");
        assertThat(answer.getExtension(RelayExtensions.TRACE)).isEqualTo("trace-breach-1");
        assertThat(answer.getExtension(RelayExtensions.ENVIRONMENT)).isEqualTo("development");
        RevCommit head = TempGitRepos.log(remote, "main").get(0);
        assertThat(EventPayloads.read(answer, Payloads.Rollback.class)).isEqualTo(new Payloads.Rollback(APP,
                "development", IMAGE + ":2.0.0@" + DIGEST_B, IMAGE + ":1.0.0@" + DIGEST_A, head.getName(),
                "metric-breached"));
        assertThat(commits()).isEqualTo(before + 1);
        assertThat(TempGitRepos.read(remote, "main", OVERLAY).orElseThrow())
                .contains("newTag: '1.0.0' # single-quoted on purpose").contains("digest: " + DIGEST_A)
                .doesNotContain(DIGEST_B);
        assertThat(held("development")).containsExactly(DIGEST_B);
        assertThat(head.getFullMessage())
                .startsWith("rollback(web-app/development): 2.0.0 -> 1.0.0\n")
                .contains("Relay-Event-Id: " + breach.getId())
                .contains("Relay-Trace: trace-breach-1")
                .contains("Relay-Rollback-Reason: metric-breached")
                .contains("Relay-Metric-Value: 0.8")
                .contains("Relay-Image-Digest: " + DIGEST_A)
                .contains("Relay-Rolled-Back-Digest: " + DIGEST_B)
                .contains("Relay-App: web-app")
                .contains("Relay-Environment: development");
        assertThat(meters.get("relay.rollbacks").tags("outcome", "completed", "reason", "metric-breached").counter()
                .count()).isEqualTo(1.0);
    }

    @Test
    void shouldAnswerTheOriginalCommitOnRedeliveryAndSkipASecondBreachOfTheSameImage() {
        verifiedAAndB("development");
        CloudEvent breach = RollbackFixtures.breached("development", "trace-breach-2");
        CloudEvent first = function.apply(breach);
        String rollback = EventPayloads.read(first, Payloads.Rollback.class).commit();
        int after = commits();

        CloudEvent redelivered = function.apply(breach);

        assertThat(redelivered.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        assertThat(EventPayloads.read(redelivered, Payloads.Rollback.class).commit()).isEqualTo(rollback);
        assertThat(EventPayloads.read(redelivered, Payloads.Rollback.class).toImage())
                .isEqualTo(IMAGE + ":1.0.0@" + DIGEST_A);

        CloudEvent again = function.apply(RollbackFixtures.breached("development", "trace-breach-2"));

        assertThat(again.getType()).isEqualTo(RelayEventTypes.ROLLBACK_SKIPPED);
        assertThat(EventPayloads.read(again, Payloads.Rollback.class).reason()).startsWith("already rolled back")
                .contains(rollback.substring(0, 12));
        assertThat(commits()).isEqualTo(after);
        assertThat(TempGitRepos.read(remote, "main", OVERLAY).orElseThrow()).contains("digest: " + DIGEST_A);

        CloudEvent failedLate = function.apply(RollbackFixtures.verifyFailed("development", "2.0.0", DIGEST_B));

        assertThat(failedLate.getType()).isEqualTo(RelayEventTypes.ROLLBACK_SKIPPED);
        assertThat(EventPayloads.read(failedLate, Payloads.Rollback.class).reason())
                .startsWith("already rolled back: " + DIGEST_B + " is already held");
        assertThat(commits()).isEqualTo(after);
    }

    @Test
    void shouldRollBackAFailedVerificationWithReasonVerifyFailed() throws IOException {
        RollbackFixtures.verified(writer, properties, "development", "1.0.0", DIGEST_A);
        int before = commits();

        CloudEvent answer = function.apply(RollbackFixtures.verifyFailed("development", "2.0.0", DIGEST_B));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        Payloads.Rollback data = EventPayloads.read(answer, Payloads.Rollback.class);
        assertThat(data.reason()).isEqualTo("verify-failed");
        assertThat(data.fromImage()).isEqualTo(IMAGE + ":2.0.0@" + DIGEST_B);
        assertThat(data.toImage()).isEqualTo(IMAGE + ":1.0.0@" + DIGEST_A);
        assertThat(commits()).isEqualTo(before + 1);
        assertThat(held("development")).containsExactly(DIGEST_B);
        String message = TempGitRepos.log(remote, "main").get(0).getFullMessage();
        assertThat(message).startsWith("rollback(web-app/development): 2.0.0 -> 1.0.0")
                .contains("Relay-Rollback-Reason: verify-failed").contains("failed checks: deployment-rollout")
                .doesNotContain("Relay-Metric-Value");
        assertThat(RollbackHolds.path(APP, "development")).isEqualTo(".relay/holds/web-app/development.yaml");
        assertThat(TempGitRepos.read(remote, "main", RollbackHolds.path(APP, "development")).orElseThrow())
                .contains("verify-failed: failed checks: deployment-rollout");
    }

    @Test
    void shouldSkipAFailedVerificationOfAnImageTheManifestNoLongerDeploys() {
        verifiedAAndB("development");
        int before = commits();

        CloudEvent answer = function.apply(RollbackFixtures.verifyFailed("development", "3.0.0", DIGEST_C));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_SKIPPED);
        assertThat(EventPayloads.read(answer, Payloads.Rollback.class).reason())
                .startsWith("already rolled back: web-app/development no longer deploys " + IMAGE + ":3.0.0@"
                        + DIGEST_C);
        assertThat(commits()).isEqualTo(before);
    }

    @Test
    void shouldSkipAndSayWhyWhenNoEarlierImageVerified() {
        RollbackFixtures.verified(writer, properties, "development", "2.0.0", DIGEST_B);
        int before = commits();

        CloudEvent answer = function.apply(RollbackFixtures.breached("development", "trace-nothing"));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_SKIPPED);
        Payloads.Rollback data = EventPayloads.read(answer, Payloads.Rollback.class);
        assertThat(data.reason()).startsWith("no verified image other than " + DIGEST_B
                + " is recorded for web-app/development");
        assertThat(data.fromImage()).isEqualTo(IMAGE + ":2.0.0@" + DIGEST_B);
        assertThat(data.commit()).isNull();
        assertThat(commits()).isEqualTo(before);
        assertThat(TempGitRepos.read(remote, "main", RollbackHolds.path(APP, "development"))).isEmpty();
        assertThat(meters.get("relay.rollbacks").tags("outcome", "skipped", "reason", "no-verified-image")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldRollBackATagOnlyHelmEnvironmentByTagAndHoldTheDigestTheLedgerKnows() throws IOException {
        verifiedAAndB("staging");
        String before = TempGitRepos.read(remote, "main", VALUES).orElseThrow();

        CloudEvent answer = function.apply(RollbackFixtures.breached("staging", "trace-helm"));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        assertThat(EventPayloads.read(answer, Payloads.Rollback.class).fromImage())
                .isEqualTo(IMAGE + ":2.0.0@" + DIGEST_B);
        assertThat(TempGitRepos.read(remote, "main", VALUES).orElseThrow())
                .isEqualTo(before.replace("tag: \"2.0.0\"", "tag: \"1.0.0\""));
        assertThat(held("staging")).containsExactly(DIGEST_B);
        assertThat(TempGitRepos.log(remote, "main").get(0).getFullMessage())
                .startsWith("rollback(web-app/staging): 2.0.0 -> 1.0.0");
    }

    @Test
    void shouldRecordWhenTheBreachBeganAndCountAProductionRollbackOnceForDora() {
        verifiedAAndB("staging");
        verifiedAAndB("development");
        CloudEvent breach = CloudEventHttp.event(RelayEventTypes.METRIC_BREACHED, Map.of("app", APP,
                        "environment", "staging", "metric", "http_success_rate", "value", 0.8, "threshold", 0.99,
                        "startsAt", "2026-11-25T10:00:07.123Z", "fingerprint", "fp-1"))
                .withExtension(RelayExtensions.APP, APP).build();

        function.apply(breach);
        function.apply(breach);

        assertThat(TempGitRepos.log(remote, "main").get(0).getFooterLines("Relay-Breached-At"))
                .as("the alert's startsAt, to the second").containsExactly("2026-11-25T10:00:07Z");
        assertThat(meters.get("relay.dora.rollbacks").tag("app", APP).counter().count())
                .as("staging is the pipeline's last environment; the redelivery wrote nothing").isEqualTo(1.0);

        CloudEvent failed = CloudEventHttp.event(RelayEventTypes.VERIFY_FAILED, new Payloads.Verify(APP,
                        "development", IMAGE, DIGEST_B, List.of(new Payloads.Check("deployment-rollout", false, "0/3")),
                        "2.0.0"))
                .withTime(java.time.OffsetDateTime.parse("2026-11-25T11:00:00+01:00"))
                .withExtension(RelayExtensions.APP, APP).build();
        assertThat(function.apply(failed).getType()).isEqualTo(RelayEventTypes.ROLLBACK_COMPLETED);
        assertThat(TempGitRepos.log(remote, "main").get(0).getFooterLines("Relay-Breached-At"))
                .as("a failed verification began when it was sent").containsExactly("2026-11-25T10:00:00Z");
        assertThat(meters.get("relay.dora.rollbacks").tag("app", APP).counter().count())
                .as("development is not production").isEqualTo(1.0);
    }

    @Test
    void shouldRollBackOnceWhenTwoBreachesOfTheSameImageArriveTogether() throws Exception {
        RollbackFixtures.verified(writer, properties, "development", "0.9.0", DIGEST_C);
        verifiedAAndB("development");
        int before = commits();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<CloudEvent> one = CompletableFuture.supplyAsync(
                    () -> function.apply(RollbackFixtures.breached("development", "trace-a")), pool);
            CompletableFuture<CloudEvent> two = CompletableFuture.supplyAsync(
                    () -> function.apply(RollbackFixtures.breached("development", "trace-b")), pool);

            assertThat(List.of(one.get().getType(), two.get().getType())).containsExactlyInAnyOrder(
                    RelayEventTypes.ROLLBACK_COMPLETED, RelayEventTypes.ROLLBACK_SKIPPED);
        } finally {
            pool.shutdownNow();
        }
        assertThat(commits()).isEqualTo(before + 1);
        assertThat(TempGitRepos.read(remote, "main", OVERLAY).orElseThrow()).contains("digest: " + DIGEST_A);
        assertThat(held("development")).containsExactly(DIGEST_B);
    }

    @Test
    void shouldRejectUnknownAppsEnvironmentsAndTypesAndChangeNothing() {
        int before = commits();

        assertThat(catchThrowableOfType(EventRejectedException.class, () -> function.apply(CloudEventHttp.event(
                RelayEventTypes.METRIC_BREACHED, new Payloads.MetricBreached("no-such-app", "development", "m", 0.5,
                        0.99)).build())).problemType()).isEqualTo("unknown-app");
        EventRejectedException environment = catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(RollbackFixtures.breached("qa", "trace-qa")));
        assertThat(environment.status()).isEqualTo(422);
        assertThat(environment.problemType()).isEqualTo("unknown-environment");
        assertThat(catchThrowableOfType(EventRejectedException.class, () -> function.apply(
                RollbackFixtures.verifyFailed("development", "2.0.0", "sha256:abc"))).problemType())
                .isEqualTo("invalid-image-reference");
        assertThat(catchThrowableOfType(EventRejectedException.class, () -> function.apply(CloudEventHttp.event(
                RelayEventTypes.SCAN_PASSED, Map.of("app", APP)).build())).status()).isEqualTo(400);
        assertThat(commits()).isEqualTo(before);
    }

    private void verifiedAAndB(String environment) {
        RollbackFixtures.verified(writer, properties, environment, "1.0.0", DIGEST_A);
        RollbackFixtures.verified(writer, properties, environment, "2.0.0", DIGEST_B);
    }

    /** The held digests, read with RollbackHolds from a checkout of the hold file (what on-scan-pass-bump reads). */
    private Set<String> held(String environment) throws IOException {
        String path = RollbackHolds.path(APP, environment);
        Path checkout = Files.createTempDirectory(dir, "checkout");
        Path file = checkout.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, TempGitRepos.read(remote, "main", path).orElseThrow());
        return RollbackHolds.held(checkout, APP, environment);
    }

    private int commits() {
        return TempGitRepos.log(remote, "main").size();
    }
}
