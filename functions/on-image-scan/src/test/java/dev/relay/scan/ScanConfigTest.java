package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.config.RelayFunctionAutoConfiguration;
import dev.relay.shared.config.RelayProperties;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.cloud.function.context.config.ContextFunctionCatalogAutoConfiguration;

/** The {@code scan:} section of relay.yaml: defaults, binding, and start-up failures that name the field. */
class ScanConfigTest {

    private static final String P = "relay.pipelines.web-app.";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
                    ContextFunctionCatalogAutoConfiguration.class, RelayFunctionAutoConfiguration.class))
            .withPropertyValues(
                    P + "image=registry.example.com/team/web-app",
                    P + "config-repo.url=https://git.example.com/config.git",
                    P + "environments[0].name=development",
                    P + "environments[0].path=apps/web-app/overlays/development/kustomization.yaml");

    @Test
    void shouldDefaultToATrivyJobAndTheDefaultPolicy() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            RelayProperties.Scan scan = scan(context.getBean(RelayProperties.class));
            assertThat(scan.backend()).isEqualTo(RelayProperties.ScanBackend.TRIVY_JOB);
            assertThat(scan.trivyJob().image()).isEqualTo("aquasec/trivy:0.58.1");
            assertThat(scan.trivyJob().ttlSecondsAfterFinished()).isEqualTo(3600);
            assertThat(scan.trivyCli().path()).isEqualTo("trivy");
            assertThat(ScanPolicy.of(scan.policy())).isEqualTo(ScanPolicy.defaults());
        });
    }

    @Test
    void shouldBindABackendAPolicyWithIgnoresAndMaxCounts() {
        runner.withPropertyValues(
                P + "scan.backend=trivy-cli",
                P + "scan.trivy-cli.path=/opt/trivy/bin/trivy",
                P + "scan.policy.name=strict",
                P + "scan.policy.fail-on=medium",
                P + "scan.policy.ignore-unfixed=true",
                P + "scan.policy.ignore[0].id=CVE-2019-14697",
                P + "scan.policy.ignore[0].reason=musl is not on the request path",
                P + "scan.policy.ignore[0].expires=2026-06-30",
                P + "scan.policy.ignore[1].id=GHSA-xxxx-yyyy-zzzz",
                P + "scan.policy.ignore[1].reason=false positive, see ticket 42",
                P + "scan.policy.max-counts.low=10").run(context -> {
                    assertThat(context).hasNotFailed();
                    RelayProperties.Scan scan = scan(context.getBean(RelayProperties.class));
                    assertThat(scan.backend()).isEqualTo(RelayProperties.ScanBackend.TRIVY_CLI);
                    assertThat(scan.trivyCli().path()).isEqualTo("/opt/trivy/bin/trivy");
                    ScanPolicy policy = ScanPolicy.of(scan.policy());
                    assertThat(policy.threshold()).isEqualTo(Optional.of(Severity.MEDIUM));
                    assertThat(policy.ignoreUnfixed()).isTrue();
                    assertThat(policy.ignore()).containsExactly(
                            new ScanPolicy.Ignore("CVE-2019-14697", "musl is not on the request path",
                                    LocalDate.parse("2026-06-30")),
                            new ScanPolicy.Ignore("GHSA-xxxx-yyyy-zzzz", "false positive, see ticket 42", null));
                    assertThat(policy.maxCounts()).isEqualTo(Map.of(Severity.LOW, 10));
                    assertThat(policy.describe())
                            .isEqualTo("strict (fail-on medium, ignore-unfixed, 2 ignored ids, max low 10)");
                });
    }

    @Test
    void shouldNameAnIgnoreEntryWithoutReasonAndOtherMistakes() {
        assertStartFails("pipelines[web-app].scan.policy.ignore[0].reason", "must not be blank",
                P + "scan.policy.ignore[0].id=CVE-2019-14697");
        assertStartFails("scan.policy.ignore[0].expires", "30.06.2026",
                P + "scan.policy.ignore[0].id=CVE-2019-14697", P + "scan.policy.ignore[0].reason=r",
                P + "scan.policy.ignore[0].expires=30.06.2026");
        assertStartFails("scan.backend", "clair", P + "scan.backend=clair");
        assertStartFails("scan.harborUrlSet", "harbor.url is required", P + "scan.backend=harbor");
        assertStartFails("scan.policy.maxCounts.medium", "greater than or equal to 0",
                P + "scan.policy.max-counts.medium=-1");
    }

    private void assertStartFails(String field, String message, String... properties) {
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            StringBuilder all = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                all.append(t.getMessage()).append('\n');
            }
            assertThat(all.toString()).contains(field).contains(message);
        });
    }

    private static RelayProperties.Scan scan(RelayProperties properties) {
        return properties.pipeline("web-app").orElseThrow().scan();
    }
}
