package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.dora.HandBuiltHistory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relay-local dora} over the hand-built history of {@link HandBuiltHistory} (the class comment lists it).
 * Expected for web-app from 2026-10-01 to 2026-10-11: 4 deployments (0.40 a day), lead time p50 2h and p90 8h (of 1h,
 * 2h, 4h, 8h), change failure rate 25.0% (1 rollback / 4), time to restore 1h 15m; api: 1 deployment, lead time
 * unknown.
 */
class DoraCommandTest {

    static final Clock NOW = Clock.fixed(Instant.parse("2026-10-11T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void shouldPrintTheFourKeysOfEveryAppInTheWindow() throws Exception {
        try (HandBuiltHistory repo = HandBuiltHistory.standard(dir.resolve("config"))) {
            int exit = run("--repo", repo.dir().toString(), "--since", "2026-10-01", "--until", "2026-10-11");

            assertThat(exit).as(text(err)).isZero();
            assertThat(text(out)).isEqualTo("""
                    DORA four keys of %s, production environment: production

                    api  (2026-10-01T00:00:00Z .. 2026-10-11T00:00:00Z, 10.0 days)
                      deployment frequency   1 deployments, 0.10 per day
                      lead time for changes  unknown (0 of 1 with a known source commit time)
                      change failure rate    0.0%% (0 rollbacks / 1 deployments)
                      time to restore        n/a (0 restores with a known breach time)

                    web-app  (2026-10-01T00:00:00Z .. 2026-10-11T00:00:00Z, 10.0 days)
                      deployment frequency   4 deployments, 0.40 per day
                      lead time for changes  median 2h 0m, p90 8h 0m (4 of 4 with a known source commit time)
                      change failure rate    25.0%% (1 rollback / 4 deployments)
                      time to restore        median 1h 15m (1 restore with a known breach time)
                    """.formatted(repo.dir()));
        }
    }

    @Test
    void shouldCloneAUrlAndFilterByAppAndDefaultTheWindowToFirstEventUntilNow() throws Exception {
        try (HandBuiltHistory repo = HandBuiltHistory.standard(dir.resolve("config"))) {
            int exit = run("--repo", repo.dir().toUri().toString(), "--app", "web-app", "--branch", "main");

            assertThat(exit).as(text(err)).isZero();
            assertThat(text(out)).contains("web-app  (2026-10-01T10:00:00Z .. 2026-10-11T00:00:00Z, 9.6 days)")
                    .contains("4 deployments, 0.42 per day").contains("25.0% (1 rollback / 4 deployments)")
                    .doesNotContain("api");
        }
    }

    @Test
    void shouldNameAMissingRepositoryAndExitNonZero() {
        assertThat(run("--repo", dir.resolve("nothing").toString())).isEqualTo(1);
        assertThat(text(err)).contains("no repository at");
        assertThat(run("--since", "2026-10-01")).isEqualTo(2);
        assertThat(text(err)).contains("--repo is required");
    }

    private int run(String... args) {
        return DoraCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), NOW);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
