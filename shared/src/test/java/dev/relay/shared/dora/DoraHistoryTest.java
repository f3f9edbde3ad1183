package dev.relay.shared.dora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.gitops.CommitRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four keys of the hand-built history of {@link HandBuiltHistory}, read back from Git with JGit. */
class DoraHistoryTest {

    static final Instant SINCE = Instant.parse("2026-10-01T00:00:00Z");
    static final Instant UNTIL = Instant.parse("2026-10-11T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void shouldComputeTheFourKeysOfAHandBuiltHistory() throws Exception {
        DoraHistory history;
        try (HandBuiltHistory repo = HandBuiltHistory.standard(dir.resolve("config"))) {
            history = DoraHistory.of(ConfigHistory.read(repo.dir().toString(), "main"),
                    Production.named("production"));
        }

        DoraFigures web = history.figures("web-app", SINCE, UNTIL);
        assertThat(web.deployments()).as("D1..D4; D2's re-verifications and D5 (development only) do not count")
                .isEqualTo(4);
        assertThat(web.deploymentsPerDay()).isEqualTo(0.4);
        assertThat(web.leadTimesKnown()).isEqualTo(4);
        assertThat(web.leadTimeMedian()).as("lead times 1h, 2h, 4h, 8h: nearest-rank p50")
                .contains(Duration.ofHours(2));
        assertThat(web.leadTimeP90()).contains(Duration.ofHours(8));
        assertThat(web.rollbacks()).as("the development rollback is not counted").isEqualTo(1);
        assertThat(web.changeFailureRate()).contains(0.25);
        assertThat(web.restores()).isEqualTo(1);
        assertThat(web.timeToRestoreMedian()).as("breach 10:30 -> D2 verified again 11:45")
                .contains(Duration.ofMinutes(75));

        DoraFigures api = history.figures("api", SINCE, UNTIL);
        assertThat(api.deployments()).isEqualTo(1);
        assertThat(api.leadTimesKnown()).as("no bump of api carries a source commit time").isZero();
        assertThat(api.leadTimeMedian()).isEmpty();
        assertThat(api.changeFailureRate()).contains(0.0);
        assertThat(api.timeToRestoreMedian()).isEmpty();

        assertThat(history.apps()).containsExactly("api", "web-app");
        assertThat(history.first()).contains(Instant.parse("2026-10-01T10:00:00Z"));
    }

    @Test
    void shouldCountOnlyWhatHappenedInsideTheWindow() throws Exception {
        try (HandBuiltHistory repo = HandBuiltHistory.standard(dir.resolve("config"))) {
            DoraHistory history = DoraHistory.of(ConfigHistory.read(repo.dir().toString(), null),
                    Production.named("production"));
            DoraFigures firstWeek = history.figures("web-app", SINCE, Instant.parse("2026-10-05T10:30:00Z"));
            assertThat(firstWeek.deployments()).isEqualTo(3);
            assertThat(firstWeek.leadTimeMedian()).as("1h, 2h, 4h").contains(Duration.ofHours(2));
            assertThat(firstWeek.rollbacks()).isZero();
            assertThat(firstWeek.changeFailureRate()).contains(0.0);
        }
    }

    @Test
    void shouldAttributeEachKeyToTheCommitThatClosesIt() throws Exception {
        try (HandBuiltHistory repo = HandBuiltHistory.standard(dir.resolve("config"))) {
            List<CommitRecord> commits = ConfigHistory.read(repo.dir().toString(), "main");
            DoraHistory history = DoraHistory.of(commits, Production.named("production"));
            CommitRecord restoring = commits.stream()
                    .filter(c -> c.time().equals(Instant.parse("2026-10-05T11:45:00Z"))).findFirst().orElseThrow();
            assertThat(history.deployment(restoring.id())).as("re-verifying D2 is no deployment").isEmpty();
            assertThat(history.restoredBy(restoring.id())).singleElement()
                    .satisfies(r -> assertThat(r.timeToRestore()).contains(Duration.ofMinutes(75)));
            CommitRecord d4 = commits.stream().filter(c -> c.trailer("Relay-Verified-Digest")
                    .filter(HandBuiltHistory.D4::equals).isPresent()
                    && c.trailer("Relay-Environment").filter("production"::equals).isPresent())
                    .findFirst().orElseThrow();
            assertThat(history.deployment(d4.id())).map(DoraHistory.Deployment::leadTime)
                    .contains(Optional.of(Duration.ofHours(8)));
            assertThat(history.restoredBy(d4.id())).isEmpty();
        }
    }

    @Test
    void shouldNotInventATimeFromAnUnparseableTrailer() {
        assertThat(DoraTrailers.parse("2026-10-05T10:30:00.123+02:00"))
                .contains(Instant.parse("2026-10-05T08:30:00.123Z"));
        assertThat(DoraTrailers.parse("yesterday")).isEmpty();
        assertThat(DoraTrailers.parse(null)).isEmpty();
        assertThat(DoraReport.human(Duration.ofMinutes(75))).isEqualTo("1h 15m");
        assertThat(DoraReport.human(Duration.ofHours(27))).isEqualTo("1d 3h");
        assertThat(DoraReport.human(Duration.ofSeconds(90))).isEqualTo("1m 30s");
    }
}
