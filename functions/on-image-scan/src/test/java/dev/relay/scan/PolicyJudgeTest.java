package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.Payloads;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The golden Trivy reports judged by Relay's policies; the clock decides which ignore entries have expired. */
class PolicyJudgeTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-03-15T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void shouldJudgeEveryGoldenReportByTheDefaultPolicy() {
        // Hand-checked alpine-39-high-critical.json.golden: Results[0] (alpine 3.9.4) has 2 vulnerabilities,
        // CVE-2019-14697 in musl 1.1.20-r4 and CVE-2019-14697 in musl-utils 1.1.20-r4, both CRITICAL, both fixed in
        // 1.1.20-r5. Counts: critical 2, high 0, medium 0, low 0, unknown 0. The default policy (fail on HIGH and
        // above) blocks, and the one distinct blocking id is CVE-2019-14697.
        Verdict alpine39 = judge(ScanPolicy.defaults(), ScanFixtures.ALPINE_39_HIGH_CRITICAL);
        assertThat(alpine39).isInstanceOfSatisfying(Verdict.Failed.class, failed -> {
            assertThat(failed.counts()).isEqualTo(new Payloads.SeverityCounts(2, 0, 0, 0, 0));
            assertThat(failed.blocking()).containsExactly("CVE-2019-14697");
            assertThat(failed.reason()).isEqualTo("2 findings at or above high");
        });

        // Hand-checked debian-buster.json.golden: Results[0] (debian 10.1) has 2 vulnerabilities, CVE-2019-18276 in
        // bash 5.0-4 (LOW, no FixedVersion) and CVE-2019-18224 in libidn2-0 2.0.5-1 (CRITICAL, fixed in
        // 2.0.5-1+deb10u1). Counts: critical 1, high 0, medium 0, low 1, unknown 0. Blocking: CVE-2019-18224 only
        // (LOW is below the HIGH threshold).
        Verdict buster = judge(ScanPolicy.defaults(), ScanFixtures.DEBIAN_BUSTER);
        assertThat(buster).isInstanceOfSatisfying(Verdict.Failed.class, failed -> {
            assertThat(failed.counts()).isEqualTo(new Payloads.SeverityCounts(1, 0, 0, 1, 0));
            assertThat(failed.blocking()).containsExactly("CVE-2019-18224");
        });

        // alpine-310: 4 MEDIUM findings (CVE-2019-1549, CVE-2019-1551 in libcrypto1.1 and libssl1.1) → passes.
        assertThat(judge(ScanPolicy.defaults(), ScanFixtures.ALPINE_310)).isInstanceOfSatisfying(Verdict.Passed.class,
                passed -> assertThat(passed.counts()).isEqualTo(new Payloads.SeverityCounts(0, 0, 4, 0, 0)));
        // distroless-base: 2 MEDIUM (CVE-2019-1551, unfixed) and 2 LOW (CVE-2019-1563) → passes.
        assertThat(judge(ScanPolicy.defaults(), ScanFixtures.DISTROLESS_BASE))
                .isInstanceOfSatisfying(Verdict.Passed.class, passed -> {
                    assertThat(passed.counts()).isEqualTo(new Payloads.SeverityCounts(0, 0, 2, 2, 0));
                    assertThat(passed.reason()).isEqualTo("no finding blocks");
                });
    }

    @Test
    void shouldBlockMediumWithALowerThresholdAndNothingWithNone() {
        Verdict medium = judge(policy(Optional.of(Severity.MEDIUM), false, List.of(), Map.of()),
                ScanFixtures.DISTROLESS_BASE);
        assertThat(medium).isInstanceOfSatisfying(Verdict.Failed.class,
                failed -> assertThat(failed.blocking()).containsExactly("CVE-2019-1551"));

        Verdict low = judge(policy(Optional.of(Severity.LOW), false, List.of(), Map.of()), ScanFixtures.DEBIAN_BUSTER);
        assertThat(low).isInstanceOfSatisfying(Verdict.Failed.class,
                failed -> assertThat(failed.blocking()).containsExactly("CVE-2019-18224", "CVE-2019-18276"));

        assertThat(judge(policy(Optional.empty(), false, List.of(), Map.of()), ScanFixtures.ALPINE_39_HIGH_CRITICAL))
                .isInstanceOf(Verdict.Passed.class);
    }

    @Test
    void shouldIgnoreAListedIdUntilItsExpiryDayInclusive() {
        ScanPolicy.Ignore musl = new ScanPolicy.Ignore("CVE-2019-14697", "musl is not used by the app",
                LocalDate.parse("2026-03-15"));
        Verdict lastDay = judge(policy(Optional.of(Severity.HIGH), false, List.of(musl), Map.of()),
                ScanFixtures.ALPINE_39_HIGH_CRITICAL);
        assertThat(lastDay).isInstanceOfSatisfying(Verdict.Passed.class, passed -> {
            assertThat(passed.counts()).isEqualTo(new Payloads.SeverityCounts(0, 0, 0, 0, 0));
            assertThat(passed.reason()).isEqualTo("no finding blocks; set aside: 2 on the ignore list");
        });

        Clock dayAfter = Clock.fixed(Instant.parse("2026-03-16T00:00:00Z"), ZoneOffset.UTC);
        Verdict expired = new PolicyJudge(policy(Optional.of(Severity.HIGH), false, List.of(musl), Map.of()), dayAfter)
                .judge(report(ScanFixtures.ALPINE_39_HIGH_CRITICAL));
        assertThat(expired).isInstanceOfSatisfying(Verdict.Failed.class,
                failed -> assertThat(failed.blocking()).containsExactly("CVE-2019-14697"));

        ScanPolicy.Ignore forever = new ScanPolicy.Ignore("CVE-2019-14697", "accepted risk", null);
        assertThat(judge(policy(Optional.of(Severity.HIGH), false, List.of(forever), Map.of()),
                ScanFixtures.ALPINE_39_HIGH_CRITICAL)).isInstanceOf(Verdict.Passed.class);
    }

    @Test
    void shouldOnlySetAsideUnfixedFindingsWithIgnoreUnfixed() {
        // debian-buster's CRITICAL CVE-2019-18224 has a fix: it still blocks; the unfixed LOW one is set aside.
        Verdict buster = judge(policy(Optional.of(Severity.LOW), true, List.of(), Map.of()), ScanFixtures.DEBIAN_BUSTER);
        assertThat(buster).isInstanceOfSatisfying(Verdict.Failed.class, failed -> {
            assertThat(failed.blocking()).containsExactly("CVE-2019-18224");
            assertThat(failed.counts()).isEqualTo(new Payloads.SeverityCounts(1, 0, 0, 0, 0));
            assertThat(failed.reason()).endsWith("set aside: 1 without a fix");
        });

        // distroless-base with fail-on medium: the two MEDIUM findings have no fix, so ignore-unfixed passes it.
        assertThat(judge(policy(Optional.of(Severity.MEDIUM), true, List.of(), Map.of()), ScanFixtures.DISTROLESS_BASE))
                .isInstanceOfSatisfying(Verdict.Passed.class, passed ->
                        assertThat(passed.counts()).isEqualTo(new Payloads.SeverityCounts(0, 0, 0, 2, 0)));
    }

    @Test
    void shouldBlockASeverityAboveItsMaxCount() {
        // alpine-310 has 4 MEDIUM findings: max 4 passes, max 3 blocks with both medium ids.
        assertThat(judge(policy(Optional.of(Severity.HIGH), false, List.of(), Map.of(Severity.MEDIUM, 4)),
                ScanFixtures.ALPINE_310)).isInstanceOf(Verdict.Passed.class);
        Verdict over = judge(policy(Optional.of(Severity.HIGH), false, List.of(), Map.of(Severity.MEDIUM, 3)),
                ScanFixtures.ALPINE_310);
        assertThat(over).isInstanceOfSatisfying(Verdict.Failed.class, failed -> {
            assertThat(failed.blocking()).containsExactly("CVE-2019-1549", "CVE-2019-1551");
            assertThat(failed.reason()).isEqualTo("medium 4 > max 3");
        });

        // An ignored id does not count towards the maximum.
        ScanPolicy.Ignore ignore = new ScanPolicy.Ignore("CVE-2019-1549", "not reachable", null);
        assertThat(judge(policy(Optional.of(Severity.HIGH), false, List.of(ignore), Map.of(Severity.MEDIUM, 2)),
                ScanFixtures.ALPINE_310)).isInstanceOf(Verdict.Passed.class);
    }

    @Test
    void shouldDescribeThePolicyInOneLine() {
        assertThat(ScanPolicy.defaults().describe()).isEqualTo("default (fail-on high)");
        ScanPolicy strict = new ScanPolicy("strict", Optional.of(Severity.MEDIUM), true,
                List.of(new ScanPolicy.Ignore("CVE-1", "r", null), new ScanPolicy.Ignore("CVE-2", "r", null)),
                Map.of(Severity.LOW, 10));
        assertThat(strict.describe()).isEqualTo("strict (fail-on medium, ignore-unfixed, 2 ignored ids, max low 10)");
    }

    private static ScanPolicy policy(Optional<Severity> threshold, boolean ignoreUnfixed, List<ScanPolicy.Ignore> ignore,
            Map<Severity, Integer> max) {
        return new ScanPolicy("test", threshold, ignoreUnfixed, ignore, max);
    }

    private static Verdict judge(ScanPolicy policy, String golden) {
        return new PolicyJudge(policy, NOW).judge(report(golden));
    }

    private static ScanReport report(String golden) {
        return TrivyReportParser.parse(ScanFixtures.golden(golden));
    }
}
