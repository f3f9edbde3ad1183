package dev.relay.local.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal on disk: what is replayed, what compaction keeps, and a torn last record. */
class BrokerJournalTest {

    private static final Map<String, String> HEADERS = Map.of("ce-specversion", "1.0", "ce-id", "e1",
            "ce-source", "/t", "ce-type", "dev.relay.test.work");

    @TempDir
    Path dir;

    @Test
    void keepsUnacknowledgedTriggersAndDeadLettersAcrossReopening() throws IOException {
        try (BrokerJournal journal = BrokerJournal.open(dir)) {
            long done = journal.accept(HEADERS, new byte[0], Set.of("a"), null);
            long half = journal.accept(HEADERS, "{}".getBytes(StandardCharsets.UTF_8), Set.of("a", "b"),
                    new EventLog.ReplyOf("parent", "t"));
            journal.ack(done, "a");
            journal.ack(half, "a");
            journal.deadLetter(letter("1-x"));
            journal.deadLetter(letter("2-x"));
            journal.replayed("1-x");
        }
        try (BrokerJournal journal = BrokerJournal.open(dir)) {
            assertThat(journal.recovered().pending()).singleElement().satisfies(accepted -> {
                assertThat(accepted.triggers()).containsExactly("b");
                assertThat(new String(accepted.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
                assertThat(accepted.replyOfEvent()).isEqualTo("parent");
                assertThat(accepted.headers()).isEqualTo(HEADERS);
            });
            assertThat(journal.deadLetters()).extracting(BrokerJournal.DeadLetter::id).containsExactly("2-x");
            long next = journal.accept(HEADERS, new byte[0], Set.of("a"), null);
            assertThat(next).isEqualTo(3);
        }
        assertThat(segments()).hasSize(1);
    }

    @Test
    void sequenceNumbersAreNeverReusedAfterEverythingIsAcknowledged() throws IOException {
        try (BrokerJournal journal = BrokerJournal.open(dir)) {
            long seq = journal.accept(HEADERS, new byte[0], Set.of("a"), null);
            journal.ack(seq, "a");
        }
        try (BrokerJournal journal = BrokerJournal.open(dir)) {
            assertThat(journal.recovered().pending()).isEmpty();
            assertThat(journal.accept(HEADERS, new byte[0], Set.of("a"), null)).isEqualTo(2);
        }
    }

    @Test
    void compactsIntoAFreshSegmentWhenTheCurrentOneIsFull() throws IOException {
        try (BrokerJournal journal = BrokerJournal.open(dir, 2_000)) {
            for (int i = 0; i < 50; i++) {
                long seq = journal.accept(HEADERS, new byte[100], Set.of("a"), null);
                if (i != 7) {
                    journal.ack(seq, "a");
                }
            }
            assertThat(segments()).hasSize(1);
        }
        try (BrokerJournal journal = BrokerJournal.open(dir)) {
            assertThat(journal.recovered().pending()).extracting(BrokerJournal.Accepted::seq).containsExactly(8L);
        }
    }

    @Test
    void ignoresARecordTornByACrash() throws IOException {
        try (BrokerJournal journal = BrokerJournal.open(dir)) {
            journal.accept(HEADERS, new byte[0], Set.of("a"), null);
        }
        Path segment = segments().get(0);
        Files.write(segment, new byte[] {0, 0, 1, 0, 42, 42, 42}, StandardOpenOption.APPEND);

        try (BrokerJournal journal = BrokerJournal.open(dir)) {
            assertThat(journal.recovered().pending()).hasSize(1);
        }
        try (BrokerJournal journal = BrokerJournal.open(dir)) {
            assertThat(journal.recovered().pending()).hasSize(1);
        }
    }

    private static BrokerJournal.DeadLetter letter(String id) {
        return new BrokerJournal.DeadLetter(id, HEADERS, new byte[0], "x", "answered 503 after 1 attempt(s)",
                "http://127.0.0.1/x", 503, "", "internal:Service/relay-dead-letters", null, Instant.now());
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(path -> path.getFileName().toString().startsWith("journal-")).toList();
        }
    }
}
