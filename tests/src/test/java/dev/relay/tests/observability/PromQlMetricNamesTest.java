package dev.relay.tests.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checker of {@link ObservabilityQueriesTest}, on hand-made queries (no Spring). */
class PromQlMetricNamesTest {

    private static final Set<String> EXPORTED = Set.of("relay_events_total", "relay_event_duration_seconds_bucket");

    @Test
    void shouldFindMetricNamesAndSkipFunctionsLabelsKeywordsAndVariables() {
        assertThat(PromQlMetricNames.of("histogram_quantile(0.99, sum by (function, le) "
                + "(rate(relay_event_duration_seconds_bucket{function=~\"$function\"}[$__rate_interval])))"))
                .containsExactly("relay_event_duration_seconds_bucket");
        assertThat(PromQlMetricNames.of("sum by (function) (rate(relay_events_total{outcome=~\"rejected|failed\"}[10m]))"
                + " > 0.01 and on (function) relay_other_total offset 5m unless sum without (type) (up)"))
                .containsExactly("relay_events_total", "relay_other_total", "up");
        assertThat(PromQlMetricNames.of("relay_events_total")).containsExactly("relay_events_total");
        assertThat(PromQlMetricNames.of("1e3 * count(relay_a_total) / 2")).containsExactly("relay_a_total");
        assertThat(PromQlMetricNames.ofVariableQuery("label_values(relay_events_total, function)"))
                .containsExactly("relay_events_total");
        assertThat(PromQlMetricNames.ofVariableQuery("label_values(function)")).isEmpty();
    }

    @Test
    void shouldReportADashboardPanelThatNamesAnUnknownMetric() {
        Map<String, Object> dashboard = Map.of("panels", List.of(
                Map.of("type", "timeseries", "title", "good", "targets", List.of(
                        Map.of("refId", "A", "expr", "sum(rate(relay_events_total[5m]))"))),
                Map.of("type", "row", "title", "row", "panels", List.of(
                        Map.of("type", "timeseries", "title", "typo", "targets", List.of(
                                Map.of("refId", "A", "expr", "sum(rate(relay_event_total{outcome=\"x\"}[5m]))")))))));

        List<String> problems = PromQlMetricNames.problems(PromQlMetricNames.dashboardQueries(dashboard), EXPORTED);

        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("panel \"typo\" A").contains("unknown metric relay_event_total");
    }

    @Test
    void shouldReportARuleThatNamesAnUnknownMetricOrNone() {
        Map<String, Object> rule = Map.of("spec", Map.of("groups", List.of(Map.of("name", "g", "rules", List.of(
                Map.of("alert", "Known", "expr", "sum(rate(relay_events_total[5m])) > 0"),
                Map.of("alert", "Unknown", "expr", "increase(relay_git_push_exhausted_total[15m]) > 0"),
                Map.of("alert", "Constant", "expr", "vector(1)"))))));

        List<String> problems = PromQlMetricNames.problems(PromQlMetricNames.ruleQueries(rule), EXPORTED);

        assertThat(problems).containsExactly(
                "rule g/Unknown: unknown metric relay_git_push_exhausted_total in increase(relay_git_push_exhausted_total[15m]) > 0",
                "rule g/Constant: names no metric: vector(1)");
    }
}
