package dev.relay.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.config.RelayFunctionAutoConfiguration;
import dev.relay.shared.config.RelayProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.cloud.function.context.config.ContextFunctionCatalogAutoConfiguration;

/** The {@code rollback:} block of a pipeline: defaults, and start-up failures that name the field. */
class RollbackConfigTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
                    ContextFunctionCatalogAutoConfiguration.class, RelayFunctionAutoConfiguration.class))
            .withPropertyValues(
                    "relay.pipelines.web-app.image=registry.example.com/team/web-app",
                    "relay.pipelines.web-app.config-repo.url=https://git.example.com/config.git",
                    "relay.pipelines.web-app.environments[0].name=development",
                    "relay.pipelines.web-app.environments[0].path=apps/web-app/overlays/development/kustomization.yaml");

    @Test
    void shouldDefaultToTrustingBreachesWithTheSuccessRateSlo() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            RelayProperties.Rollback rollback = context.getBean(RelayProperties.class).pipeline("web-app")
                    .orElseThrow().rollback();
            assertThat(rollback.prometheus().url()).isNull();
            assertThat(rollback.slo().query()).isNull();
            assertThat(rollback.slo().condition()).isEqualTo(">= 0.99");
            assertThat(rollback.onMissingData()).isEqualTo(RelayProperties.OnMissingData.SKIP);
            assertThat(rollback.queryTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(SloCondition.parse(rollback.slo().condition())).isEqualTo(new SloCondition(">=", 0.99));
            assertThat(SloQuery.of(rollback.slo(), "web-app", "development").promql()).isEqualTo(
                    "sum(rate(http_requests_total{service=\"web-app\",status=~\"2..\"}[5m]))"
                            + " / sum(rate(http_requests_total{service=\"web-app\"}[5m]))");
        });
    }

    @Test
    void shouldBindAFullRollbackBlock() {
        runner.withPropertyValues(
                        "relay.pipelines.web-app.rollback.prometheus.url=http://prometheus.monitoring:9090",
                        "relay.pipelines.web-app.rollback.prometheus.bearer-token-file=/var/run/secrets/relay/prometheus/token",
                        "relay.pipelines.web-app.rollback.slo.query=sum(rate(x{app=\"<app>\"}[1m]))",
                        "relay.pipelines.web-app.rollback.slo.condition=< 0.05",
                        "relay.pipelines.web-app.rollback.on-missing-data=rollback",
                        "relay.pipelines.web-app.rollback.query-timeout=2s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    RelayProperties.Rollback rollback = context.getBean(RelayProperties.class).pipeline("web-app")
                            .orElseThrow().rollback();
                    assertThat(rollback.onMissingData()).isEqualTo(RelayProperties.OnMissingData.ROLLBACK);
                    assertThat(SloCondition.parse(rollback.slo().condition()).holds(0.01)).isTrue();
                    assertThat(SloCondition.parse(rollback.slo().condition()).holds(0.2)).isFalse();
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "rollback.slo.condition=at least 0.99 | pipelines[web-app].rollback.slo.condition",
            "rollback.slo.condition=>= | pipelines[web-app].rollback.slo.condition",
            "rollback.prometheus.url=prometheus:9090 | pipelines[web-app].rollback.prometheus.url",
            "rollback.on-missing-data=maybe | rollback.on-missing-data"})
    void shouldNameAWrongField(String property, String field) {
        runner.withPropertyValues("relay.pipelines.web-app." + property).run(context -> {
            assertThat(context).hasFailed();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertThat(messages.toString()).contains(field);
        });
    }

    @Test
    void shouldFormatValuesWithoutNoise() {
        assertThat(SloCondition.format(0.998)).isEqualTo("0.998");
        assertThat(SloCondition.format(0.8000000001)).isEqualTo("0.8");
        assertThat(SloCondition.format(1.0)).isEqualTo("1");
        assertThat(SloCondition.parse(" >=0.99 ").toString()).isEqualTo(">= 0.99");
    }
}
