package dev.relay.shared.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppliedImagesTest {

    private static final String DIGEST_A = "sha256:" + "a".repeat(64);
    private static final String DIGEST_B = "sha256:" + "b".repeat(64);

    @TempDir
    Path workTree;

    @Test
    void shouldReadBackWhatItWroteWithAwkwardEventIds() throws IOException {
        String awkward = "id with \"quotes\", a \\ backslash: and # hash";
        AppliedImages.Record record = AppliedImages.Record.empty("web", "development", "registry.example.com/web")
                .plus(new AppliedImages.Entry("first", "1.0.0", DIGEST_A, Instant.parse("2026-11-01T10:00:00Z")), true)
                .plus(new AppliedImages.Entry(awkward, "1.1.0", DIGEST_B, null), true);

        AppliedImages.write(workTree, record);
        AppliedImages.Record read = AppliedImages.read(workTree, "web", "development").orElseThrow();

        assertThat(read).isEqualTo(record);
        assertThat(read.newest().tag()).isEqualTo("1.1.0");
        assertThat(read.applied(awkward)).isPresent();
        assertThat(read.withDigest(DIGEST_A).orElseThrow().sourceCommitTime())
                .isEqualTo(Instant.parse("2026-11-01T10:00:00Z"));
        assertThat(Files.readString(workTree.resolve(".relay/applied/web/development.yaml")))
                .startsWith("# Written by Relay");
    }

    @Test
    void shouldKeepTheMarkWhenAnEntryIsNotNewestAndBoundTheList() {
        AppliedImages.Record record = AppliedImages.Record.empty("web", "development", "registry.example.com/web")
                .plus(new AppliedImages.Entry("e-0", "2.0.0", DIGEST_A, null), true);
        for (int i = 1; i <= AppliedImages.KEPT + 5; i++) {
            record = record.plus(new AppliedImages.Entry("e-" + i, "latest", DIGEST_B, null), false);
        }

        assertThat(record.newest().eventId()).isEqualTo("e-0");
        assertThat(record.applied()).hasSize(AppliedImages.KEPT);
        assertThat(record.applied().get(0).eventId()).isEqualTo("e-" + (AppliedImages.KEPT + 5));
        assertThat(record.applied("e-1")).isEmpty();
    }

    @Test
    void shouldHaveNoRecordBeforeTheFirstBump() throws IOException {
        assertThat(AppliedImages.read(workTree, "web", "development")).isEmpty();
    }
}
