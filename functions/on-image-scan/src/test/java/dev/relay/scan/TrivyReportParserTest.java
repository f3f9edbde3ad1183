package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.events.Payloads;
import org.junit.jupiter.api.Test;

/** Trivy's JSON reports (real golden files of aquasecurity/trivy) into findings. */
class TrivyReportParserTest {

    @Test
    void shouldReadEveryVulnerabilityOfEveryResult() {
        ScanReport report = TrivyReportParser.parse(ScanFixtures.golden(ScanFixtures.ALPINE_310));

        assertThat(report.findings()).extracting(Finding::id, Finding::pkg, Finding::installedVersion,
                Finding::fixedVersion, Finding::severity).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("CVE-2019-1549", "libcrypto1.1", "1.1.1c-r0", "1.1.1d-r0",
                                Severity.MEDIUM),
                        org.assertj.core.groups.Tuple.tuple("CVE-2019-1551", "libcrypto1.1", "1.1.1c-r0", "1.1.1d-r2",
                                Severity.MEDIUM),
                        org.assertj.core.groups.Tuple.tuple("CVE-2019-1549", "libssl1.1", "1.1.1c-r0", "1.1.1d-r0",
                                Severity.MEDIUM),
                        org.assertj.core.groups.Tuple.tuple("CVE-2019-1551", "libssl1.1", "1.1.1c-r0", "1.1.1d-r2",
                                Severity.MEDIUM));
        assertThat(report.counts()).isEqualTo(new Payloads.SeverityCounts(0, 0, 4, 0, 0));
    }

    @Test
    void shouldCountEveryGoldenReport() {
        assertThat(counts(ScanFixtures.ALPINE_39_HIGH_CRITICAL)).isEqualTo(new Payloads.SeverityCounts(2, 0, 0, 0, 0));
        assertThat(counts(ScanFixtures.DEBIAN_BUSTER)).isEqualTo(new Payloads.SeverityCounts(1, 0, 0, 1, 0));
        assertThat(counts(ScanFixtures.DISTROLESS_BASE)).isEqualTo(new Payloads.SeverityCounts(0, 0, 2, 2, 0));
    }

    @Test
    void shouldKeepAMissingFixedVersionAsUnfixed() {
        ScanReport report = TrivyReportParser.parse(ScanFixtures.golden(ScanFixtures.DEBIAN_BUSTER));

        assertThat(report.findings()).filteredOn(f -> f.id().equals("CVE-2019-18276")).singleElement()
                .satisfies(f -> assertThat(f.fixable()).isFalse());
        assertThat(report.findings()).filteredOn(f -> f.id().equals("CVE-2019-18224")).singleElement()
                .satisfies(f -> assertThat(f.fixedVersion()).isEqualTo("2.0.5-1+deb10u1"));
    }

    @Test
    void shouldReadAReportAfterLogLinesAndACleanReport() {
        String logged = "2024-01-01T00:00:00Z\tINFO\tNeed to update DB\n"
                + ScanFixtures.golden(ScanFixtures.ALPINE_39_HIGH_CRITICAL);
        assertThat(TrivyReportParser.parse(logged).findings()).hasSize(2);

        assertThat(TrivyReportParser.parse("{\"SchemaVersion\": 2, \"ArtifactName\": \"x\"}").findings()).isEmpty();
        assertThat(TrivyReportParser.parse("{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"x\","
                + " \"Vulnerabilities\": null}]}").findings()).isEmpty();
    }

    @Test
    void shouldRejectOutputThatIsNoReport() {
        assertThatThrownBy(() -> TrivyReportParser.parse("")).isInstanceOf(ScanReportException.class);
        assertThatThrownBy(() -> TrivyReportParser.parse("FATAL image not found"))
                .isInstanceOf(ScanReportException.class).hasMessageContaining("image not found");
        assertThatThrownBy(() -> TrivyReportParser.parse("{\"Results\": [{\"Vulnerabilities\": [{}]}]}"))
                .isInstanceOf(ScanReportException.class).hasMessageContaining("VulnerabilityID");
        assertThatThrownBy(() -> TrivyReportParser.parse("{\"kind\": \"Status\"}"))
                .isInstanceOf(ScanReportException.class).hasMessageContaining("not a Trivy report");
        assertThatThrownBy(() -> TrivyReportParser.parse("{\"SchemaVersion\": 2, "))
                .isInstanceOf(ScanReportException.class);
    }

    private static Payloads.SeverityCounts counts(String golden) {
        return TrivyReportParser.parse(ScanFixtures.golden(golden)).counts();
    }
}
