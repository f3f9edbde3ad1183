package dev.relay.bump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.relay.shared.approvals.ApprovalSignature;
import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.ledger.RollbackHolds;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.ledger.VerifiedImage;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.TempGitRepos;
import io.cloudevents.CloudEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** verify.passed promotes to the next environment; a gated environment waits for an approval of a verified digest. */
class PromotionTest {

    private static final String IMAGE = "registry.example.com/team/web-app";
    private static final String DIGEST = BumpFixtures.digestFor("2.0.0");

    @TempDir
    Path dir;

    private Path remote;
    private GitOpsWriter writer;
    private RelayProperties properties;
    private ScanPassBumpFunction function;
    private ApprovalSignature signature;
    private ApprovalSignature forger;

    @BeforeEach
    void pipeline() {
        Map<String, String> files = new LinkedHashMap<>();
        for (String env : List.of("development", "staging", "production")) {
            files.put(path(env), BumpFixtures.overlay("web-app").replace("# web-app in development",
                    "# web-app in " + env));
        }
        remote = TempGitRepos.createBare(dir, "config", files);
        Map<String, String> source = new HashMap<>();
        String prefix = "relay.pipelines.web-app.";
        source.put(prefix + "image", IMAGE);
        source.put(prefix + "config-repo.url", TempGitRepos.fileUrl(remote));
        List<String> envs = List.of("development", "staging", "production");
        for (int i = 0; i < envs.size(); i++) {
            source.put(prefix + "environments[" + i + "].name", envs.get(i));
            source.put(prefix + "environments[" + i + "].path", path(envs.get(i)));
            source.put(prefix + "environments[" + i + "].image-name", BumpFixtures.REGISTRY + "web-app");
            source.put(prefix + "environments[" + i + "].pin-digest", "true");
        }
        source.put(prefix + "environments[2].approval", "manual");
        source.put("relay.git.cache-dir", dir.resolve("cache").toString());
        properties = new Binder(new MapConfigurationPropertySource(source)).bind("relay", RelayProperties.class).get();
        writer = new GitOpsWriter(properties.git().toWriterSettings());
        try {
            Path key = Files.writeString(dir.resolve("approval-signing-key"), "approval-key-0123456789abcdef\n");
            signature = new ApprovalSignature(key);
            Path otherKey = Files.writeString(dir.resolve("other-key"), "someone-elses-key-0123456789\n");
            forger = new ApprovalSignature(otherKey);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        function = new ScanPassBumpFunction(properties, writer, signature);
    }

    @Test
    void shouldPromoteAVerifiedDigestToTheNextEnvironmentOnce() {
        CloudEvent verified = verifyPassed("development", "trace-promote-1");
        int before = commits();

        CloudEvent answer = function.apply(verified);

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(answer.getExtension(RelayExtensions.ENVIRONMENT)).isEqualTo("staging");
        assertThat(answer.getExtension(RelayExtensions.TRACE)).isEqualTo("trace-promote-1");
        assertThat(commits()).isEqualTo(before + 1);
        assertThat(TempGitRepos.read(remote, "main", path("staging")).orElseThrow())
                .contains("newTag: '2.0.0'").contains("digest: " + DIGEST);
        assertThat(TempGitRepos.read(remote, "main", path("production")).orElseThrow()).contains("newTag: '1.0.0'");
        assertThat(TempGitRepos.log(remote, "main").get(0).getFullMessage())
                .startsWith("bump(web-app/staging): 1.0.0 -> 2.0.0")
                .contains("Relay-Trace: trace-promote-1").contains("Relay-Environment: staging")
                .as("no span is current here, so no trace context is recorded").doesNotContain("Relay-Traceparent");

        CloudEvent again = function.apply(verified);

        assertThat(again.getType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(commits()).isEqualTo(before + 1);
    }

    @Test
    void shouldWaitForApprovalBeforeAManualEnvironmentAndRefuseAnUnverifiedDigest() {
        int before = commits();

        CloudEvent pending = function.apply(verifyPassed("staging", "trace-gate"));

        assertThat(pending.getType()).isEqualTo(RelayEventTypes.PROMOTION_PENDING);
        assertThat(EventPayloads.read(pending, Payloads.PromotionPending.class))
                .isEqualTo(new Payloads.PromotionPending("web-app", "production", IMAGE, "2.0.0", DIGEST, "manual"));
        assertThat(commits()).isEqualTo(before);

        EventRejectedException refused = catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(approved("production", DIGEST, "alice")));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.problemType()).isEqualTo("not-pending");
        assertThat(refused.detail()).contains("web-app/staging");
        assertThat(commits()).isEqualTo(before);
    }

    @Test
    void shouldBumpAGatedEnvironmentOnApprovalOfADigestVerifiedInThePreviousOne() {
        WriteOutcome recorded = writer.write(properties.pipeline("web-app").orElseThrow().configRepo()
                .toConfigRepository(), VerificationLedger.record("verify-staging-1", "trace-gate",
                        new VerifiedImage("web-app", "staging", IMAGE, "2.0.0", DIGEST, "abc123", null, Instant.now())));
        assertThat(recorded).isInstanceOf(WriteOutcome.Committed.class);
        int before = commits();

        CloudEvent answer = function.apply(approved("production", DIGEST, "alice@example.com"));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(TempGitRepos.read(remote, "main", path("production")).orElseThrow())
                .contains("newTag: '2.0.0'").contains("digest: " + DIGEST);
        assertThat(commits()).isEqualTo(before + 1);
        assertThat(TempGitRepos.log(remote, "main").get(0).getFullMessage())
                .contains("Relay-Approved-By: alice@example.com").contains("Relay-Trace: trace-gate");
    }

    @Test
    void shouldRefuseUnsignedAndForgedApprovalsAndChangeNothing() {
        recordStagingVerification();
        int before = commits();
        CloudEvent unsigned = unsigned("production", DIGEST, "mallory");

        EventRejectedException missing = catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(unsigned));
        EventRejectedException forged = catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(forger.sign(unsigned)));
        CloudEvent signed = signature.sign(unsigned);
        CloudEvent otherApprover = CloudEventHttp.event(RelayEventTypes.PROMOTION_APPROVED,
                        new Payloads.PromotionApproved("web-app", "production", DIGEST, "alice"))
                .withId(signed.getId()).withExtension(ApprovalSignature.EXTENSION,
                        signed.getExtension(ApprovalSignature.EXTENSION).toString()).build();
        EventRejectedException altered = catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(otherApprover));

        for (EventRejectedException refused : List.of(missing, forged, altered)) {
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.problemType()).isEqualTo("approval-unauthenticated");
        }
        assertThat(commits()).isEqualTo(before);
        assertThat(TempGitRepos.read(remote, "main", path("production")).orElseThrow()).contains("newTag: '1.0.0'");
    }

    @Test
    void shouldRefuseWithoutAnySigningKeyConfigured() {
        recordStagingVerification();
        ScanPassBumpFunction unkeyed = new ScanPassBumpFunction(properties, writer);

        EventRejectedException refused = catchThrowableOfType(EventRejectedException.class,
                () -> unkeyed.apply(approved("production", DIGEST, "alice")));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.detail()).contains(ApprovalSignature.SETTING);
    }

    @Test
    void shouldAnswerTheSameForARedeliveredApprovalAndRefuseANewOneForARunningDigest() {
        recordStagingVerification();
        CloudEvent approval = approved("production", DIGEST, "alice");
        assertThat(function.apply(approval).getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        int after = commits();

        CloudEvent again = function.apply(approval);
        EventRejectedException second = catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(approved("production", DIGEST, "bob")));

        assertThat(again.getType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(EventPayloads.read(again, Payloads.Manifest.class).reason()).isEqualTo("already-applied");
        assertThat(second.status()).isEqualTo(403);
        assertThat(second.problemType()).isEqualTo("not-pending");
        assertThat(commits()).isEqualTo(after);
    }

    @Test
    void shouldRefuseAnApprovalForAnEnvironmentThatIsNotGated() {
        int before = commits();

        EventRejectedException refused = catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(approved("staging", DIGEST, "alice")));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.problemType()).isEqualTo("not-pending");
        assertThat(commits()).isEqualTo(before);
    }

    @Test
    void shouldDropAPendingPromotionOnRejectionAndRecordWhoRejectedIt() {
        recordStagingVerification();
        int before = commits();
        CloudEvent rejection = signature.sign(CloudEventHttp.event(RelayEventTypes.PROMOTION_REJECTED,
                        new Payloads.PromotionRejected("web-app", "production", DIGEST, "carol", "CVE triage open"))
                .withExtension(RelayExtensions.TRACE, "trace-gate").build());

        CloudEvent answer = function.apply(rejection);

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        Payloads.Manifest manifest = EventPayloads.read(answer, Payloads.Manifest.class);
        assertThat(manifest.reason()).isEqualTo("rejected");
        assertThat(commits()).isEqualTo(before + 1);
        assertThat(TempGitRepos.log(remote, "main").get(0).getFullMessage())
                .startsWith("rejected(web-app/production): " + DIGEST)
                .contains("Relay-Rejected-Digest: " + DIGEST).contains("Relay-Rejected-By: carol")
                .contains("Relay-Rejection-Reason: CVE triage open").contains("Relay-Event-Id: " + rejection.getId());
        assertThat(manifest.commit()).isEqualTo(TempGitRepos.log(remote, "main").get(0).getName());
        assertThat(function.apply(rejection).getType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(commits()).isEqualTo(before + 1);

        EventRejectedException approval = catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(approved("production", DIGEST, "alice")));

        assertThat(approval.status()).isEqualTo(403);
        assertThat(approval.detail()).contains("rejected").contains("carol");
        assertThat(TempGitRepos.read(remote, "main", path("production")).orElseThrow()).contains("newTag: '1.0.0'");
        assertThat(commits()).isEqualTo(before + 1);
    }

    private void recordStagingVerification() {
        WriteOutcome recorded = writer.write(properties.pipeline("web-app").orElseThrow().configRepo()
                .toConfigRepository(), VerificationLedger.record("verify-staging-1", "trace-gate",
                        new VerifiedImage("web-app", "staging", IMAGE, "2.0.0", DIGEST, "abc123", null, Instant.now())));
        assertThat(recorded).isInstanceOf(WriteOutcome.Committed.class);
    }

    @Test
    void shouldNotBumpADigestARollbackHolds() throws Exception {
        Path holdTree = Files.createDirectories(dir.resolve("hold-tree"));
        assertThat(RollbackHolds.hold(holdTree, "web-app", "development", DIGEST, "slo breach", Instant.now()))
                .isTrue();
        String holdPath = RollbackHolds.path("web-app", "development");
        TempGitRepos.pushFromOtherClone(remote, "main",
                Map.of(holdPath, Files.readString(holdTree.resolve(holdPath))), "rollback holds " + DIGEST);
        int before = commits();

        CloudEvent held = function.apply(BumpFixtures.scanPassed("web-app", "2.0.0", DIGEST).build());

        assertThat(held.getType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        assertThat(EventPayloads.read(held, Payloads.Manifest.class).reason()).isEqualTo("held");
        assertThat(commits()).isEqualTo(before);
        CloudEvent newer = function.apply(BumpFixtures.scanPassed("web-app", "2.0.1", BumpFixtures.digestFor("2.0.1"))
                .build());
        assertThat(newer.getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
    }

    @Test
    void shouldNotPromoteAnOlderImageOverANewerOne() {
        String newer = BumpFixtures.digestFor("2.1.0");
        assertThat(function.apply(verifyPassed("development", "trace-new", "2.1.0", newer)).getType())
                .isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        int before = commits();

        CloudEvent stale = function.apply(verifyPassed("development", "trace-old", "2.0.0", DIGEST));

        assertThat(stale.getType()).isEqualTo(RelayEventTypes.MANIFEST_UNCHANGED);
        Payloads.Manifest answer = EventPayloads.read(stale, Payloads.Manifest.class);
        assertThat(answer.environment()).isEqualTo("staging");
        assertThat(answer.reason()).isEqualTo("superseded");
        assertThat(answer.newerImage()).isEqualTo(IMAGE + ":2.1.0@" + newer);
        assertThat(commits()).isEqualTo(before);
        assertThat(TempGitRepos.read(remote, "main", path("staging")).orElseThrow()).contains("newTag: '2.1.0'");
    }

    @Test
    void shouldGoBackOnlyWhenAPersonApprovesTheOlderImage() {
        String newer = BumpFixtures.digestFor("2.1.0");
        recordVerified("staging", "2.1.0", newer);
        assertThat(function.apply(approved("production", newer, "alice")).getType())
                .isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        recordVerified("staging", "2.0.0", DIGEST);

        CloudEvent approval = approved("production", DIGEST, "bob");

        CloudEvent back = function.apply(approval);

        assertThat(back.getType()).isEqualTo(RelayEventTypes.MANIFEST_BUMPED);
        assertThat(TempGitRepos.read(remote, "main", path("production")).orElseThrow())
                .contains("newTag: '2.0.0'").contains("digest: " + DIGEST);
        assertThat(TempGitRepos.read(remote, "main", ".relay/applied/web-app/production.yaml").orElseThrow())
                .as("the approved image is the environment's newest now")
                .contains("newest:\n  eventId: \"" + approval.getId() + "\"\n  tag: \"2.0.0\"");
    }

    @Test
    void shouldAnswerNothingWhenTheLastEnvironmentVerified() {
        int before = commits();

        assertThat(function.apply(verifyPassed("production", "trace-last"))).isNull();
        assertThat(commits()).isEqualTo(before);
    }

    @Test
    void shouldRejectApprovalsForTheFirstEnvironmentOrWithoutApprover() {
        assertThat(catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(approved("development", DIGEST, "alice"))).status()).isEqualTo(422);
        assertThat(catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(approved("production", DIGEST, " "))).status()).isEqualTo(422);
        assertThat(catchThrowableOfType(EventRejectedException.class,
                () -> function.apply(approved("qa", DIGEST, "alice"))).problemType()).isEqualTo("unknown-environment");
    }

    private CloudEvent verifyPassed(String environment, String trace) {
        return verifyPassed(environment, trace, "2.0.0", DIGEST);
    }

    private CloudEvent verifyPassed(String environment, String trace, String tag, String digest) {
        return CloudEventHttp.event(RelayEventTypes.VERIFY_PASSED, new Payloads.Verify("web-app", environment, IMAGE,
                        digest, List.of(new Payloads.Check("deployment-rollout", true, "3/3 available")), tag))
                .withExtension(RelayExtensions.TRACE, trace).withExtension(RelayExtensions.APP, "web-app")
                .build();
    }

    private CloudEvent approved(String environment, String digest, String approver) {
        return signature.sign(unsigned(environment, digest, approver));
    }

    private static CloudEvent unsigned(String environment, String digest, String approver) {
        return CloudEventHttp.event(RelayEventTypes.PROMOTION_APPROVED,
                new Payloads.PromotionApproved("web-app", environment, digest, approver))
                .withExtension(RelayExtensions.TRACE, "trace-gate").build();
    }

    private void recordVerified(String environment, String tag, String digest) {
        WriteOutcome recorded = writer.write(properties.pipeline("web-app").orElseThrow().configRepo()
                .toConfigRepository(), VerificationLedger.record("verify-" + environment + "-" + tag, "trace-gate",
                        new VerifiedImage("web-app", environment, IMAGE, tag, digest, "abc123", null, Instant.now())));
        assertThat(recorded).isInstanceOf(WriteOutcome.Committed.class);
    }

    private static String path(String environment) {
        return "apps/web-app/overlays/" + environment + "/kustomization.yaml";
    }

    private int commits() {
        return TempGitRepos.log(remote, "main").size();
    }
}
