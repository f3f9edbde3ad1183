package dev.relay.build;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JobNamesTest {

    private static final String DNS_1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String SHA = BuildFixtures.SHA;

    @Test
    void shouldNameABuildAfterAppAndTwelveHexOfTheCommit() {
        assertThat(JobNames.of("web-app", SHA, "4c3f5e2")).isEqualTo("build-web-app-4c3f5e2b9a8d");
        assertThat(JobNames.of("web-app", SHA, SHA)).isEqualTo("build-web-app-4c3f5e2b9a8d");
    }

    @Test
    void shouldBeDeterministicAndTellApartTagsOfTheSameCommit() {
        assertThat(JobNames.of("web-app", SHA, "v1.2.0")).isEqualTo(JobNames.of("web-app", SHA, "v1.2.0"))
                .startsWith("build-web-app-4c3f5e2b9a8d-")
                .isNotEqualTo(JobNames.of("web-app", SHA, "v1.3.0"))
                .isNotEqualTo(JobNames.of("web-app", SHA, "4c3f5e2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "web-app", "a-very-long-application-name-that-goes-on-and-on-and-on-for-63c",
            "a23456789-123456789-123456789-123456789-123456789-123456789-123",
            "x-------------------------------------------------------------y"})
    void shouldAlwaysBeADns1123LabelOfAtMost63Characters(String app) {
        for (String tag : new String[] {"4c3f5e2", "v1.0.0", "feature-x-4c3f5e2"}) {
            String name = JobNames.of(app, SHA, tag);
            assertThat(name).hasSizeLessThanOrEqualTo(63).matches(DNS_1123_LABEL);
            assertThat(JobNames.of(app, SHA, tag)).isEqualTo(name);
        }
    }

    @Test
    void shouldKeepLongAppNamesWithACommonPrefixApart() {
        String prefix = "a-very-long-application-name-that-goes-on-and-on-";
        String one = JobNames.of(prefix + "frontend", SHA, "4c3f5e2");
        String two = JobNames.of(prefix + "backend", SHA, "4c3f5e2");
        assertThat(one).isNotEqualTo(two);
        assertThat(one).hasSize(63 - 0).endsWith("-4c3f5e2b9a8d");
    }

    @Test
    void shouldUseTwelveHexOfASha256Commit() {
        String sha256 = "ab".repeat(32);
        assertThat(JobNames.of("web-app", sha256, sha256.substring(0, 7))).isEqualTo("build-web-app-abababababab");
    }
}
