package dev.relay.scan.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.ordering.TagPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tag reconcile carries to the first environment: the newest one the pipeline's tag policy allows. */
class NewestTagTest {

    @Test
    void semverTakesTheHighestVersionInTheRange() {
        TagPolicy policy = TagPolicy.of(new RelayProperties.Tags(null, null, RelayProperties.Order.SEMVER,
                ">=1.0.0 <2.0.0"));
        assertThat(ImageReconciler.newest(policy, List.of("1.9.0", "latest", "1.10.0", "2.0.0", "0.9.0")))
                .contains("1.10.0");
    }

    @Test
    void theDefaultOrderRanksVersionsAndLeavesOutTagsItCannotOrder() {
        TagPolicy policy = TagPolicy.of(null);
        assertThat(ImageReconciler.newest(policy, List.of("latest", "1.2.0", "main-abc1234", "1.10.1")))
                .contains("1.10.1");
        assertThat(ImageReconciler.newest(policy, List.of("latest", "main-abc1234"))).isEmpty();
    }

    @Test
    void aPatternWithExtractionOrdersWhatItExtracts() {
        TagPolicy policy = TagPolicy.of(new RelayProperties.Tags("^main-(?<n>[0-9]+)$", "$n",
                RelayProperties.Order.NUMERIC, null));
        assertThat(ImageReconciler.newest(policy, List.of("main-9", "main-10", "dev-99", "latest"))).contains("main-10");
    }
}
