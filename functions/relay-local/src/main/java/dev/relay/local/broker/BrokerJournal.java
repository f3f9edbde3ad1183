package dev.relay.local.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded broker's write-ahead journal: append-only segment files ({@code journal-<n>.log}) in one directory.
 * Each record is framed as {@code [length][crc32][json]}, so a record torn by a crash is recognised and ignored.
 * <ul>
 *   <li>{@code accept}: an event and the Triggers it still has to reach, fsynced before the broker answers 202</li>
 *   <li>{@code ack}: one Trigger's delivery of an accepted event reached its final outcome</li>
 *   <li>{@code dead}: a dead letter (fsynced), kept until it is replayed</li>
 *   <li>{@code replayed}: a dead letter was put back on the broker</li>
 *   <li>{@code mark}: the highest sequence number handed out, so numbers are never reused after compaction</li>
 * </ul>
 * Opening the journal reads every segment, keeps what is still live (accepted events with Triggers left, dead
 * letters not replayed), writes that into a fresh segment and deletes the older ones; the same compaction runs
 * whenever the current segment outgrows {@code segmentBytes} (or twice what the last compaction kept). Fsyncs
 * are grouped: concurrent appenders share one {@code force}. Thread-safe.
 */
final class BrokerJournal implements AutoCloseable {

    /** An accepted event, as its binary-mode HTTP headers and body, and the Triggers it has yet to reach. */
    record Accepted(long seq, Map<String, String> headers, byte[] body, Set<String> triggers, String replyOfEvent,
            String replyOfTrigger, Instant acceptedAt) {
    }

    /**
     * A delivery that ended without success: the event as the dead-letter sink saw it (with {@code knativeerror*}
     * extensions) and why.
     */
    record DeadLetter(String id, Map<String, String> headers, byte[] body, String trigger, String reason,
            String errorDest, int errorCode, String errorData, String sink, Integer sinkStatus,
            Instant deadLetteredAt) {
    }

    /** What a journal holds after opening: the events still to deliver and the dead letters, both oldest first. */
    record Recovered(List<Accepted> pending, List<DeadLetter> deadLetters) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(String op, Long seq, Map<String, String> headers, String body, List<String> triggers,
            String replyOfEvent, String replyOfTrigger, String trigger, String id, String reason, String errorDest,
            Integer errorCode, String errorData, String sink, Integer sinkStatus, String at) {
    }

    static final long DEFAULT_SEGMENT_BYTES = 8L * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(BrokerJournal.class);
    private static final Pattern SEGMENT = Pattern.compile("journal-(\\d{12})\\.log");
    private static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path directory;
    private final long segmentBytes;
    private final Object writeLock = new Object();
    private final Object syncLock = new Object();
    private final Map<Long, Accepted> live = new LinkedHashMap<>();
    private final Map<String, DeadLetter> deadLetters = new LinkedHashMap<>();
    private final Recovered recovered;
    private long nextSeq = 1;
    private long segmentNumber;
    private volatile FileChannel channel;
    private long segmentSize;
    /** The size at which the current segment is compacted: at least twice what compaction last kept. */
    private long compactAt;
    /** Bytes written over the journal's lifetime in this process; {@code synced} of those are on disk. */
    private volatile long written;
    private volatile long synced;
    private volatile boolean closed;

    private BrokerJournal(Path directory, long segmentBytes) throws IOException {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(directory);
        List<Path> segments = segments();
        for (Path segment : segments) {
            replay(segment);
        }
        this.recovered = new Recovered(live.values().stream().map(a -> new Accepted(a.seq(), a.headers(), a.body(),
                new LinkedHashSet<>(a.triggers()), a.replyOfEvent(), a.replyOfTrigger(), a.acceptedAt())).toList(),
                List.copyOf(deadLetters.values()));
        segmentNumber = segments.isEmpty() ? 0 : number(segments.get(segments.size() - 1));
        synchronized (writeLock) {
            synchronized (syncLock) {
                compact();
            }
        }
    }

    static BrokerJournal open(Path directory) {
        return open(directory, DEFAULT_SEGMENT_BYTES);
    }

    static BrokerJournal open(Path directory, long segmentBytes) {
        try {
            return new BrokerJournal(directory, segmentBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the broker journal in " + directory, e);
        }
    }

    Path directory() {
        return directory;
    }

    /** What was live when the journal was opened. */
    Recovered recovered() {
        return recovered;
    }

    /** Journals an accepted event and forces it to disk; returns its sequence number. */
    long accept(Map<String, String> headers, byte[] body, Set<String> triggers, EventLog.ReplyOf replyOf)
            throws IOException {
        long end;
        long seq;
        synchronized (writeLock) {
            seq = nextSeq++;
            Accepted accepted = new Accepted(seq, Map.copyOf(headers), body, new LinkedHashSet<>(triggers),
                    replyOf == null ? null : replyOf.eventId(), replyOf == null ? null : replyOf.trigger(),
                    Instant.now());
            end = append(acceptLine(accepted));
            live.put(seq, accepted);
        }
        sync(end);
        return seq;
    }

    /**
     * Records that a Trigger's delivery of event {@code seq} is final. Not forced: a lost ack means a redelivery,
     * never a loss.
     */
    void ack(long seq, String trigger) {
        synchronized (writeLock) {
            Accepted accepted = live.get(seq);
            if (accepted == null || closed) {
                return;
            }
            try {
                append(new Line("ack", seq, null, null, null, null, null, trigger, null, null, null, null, null,
                        null, null, null));
            } catch (IOException e) {
                log.warn("broker journal: cannot record the ack of event {} for {}: {}", seq, trigger, e.toString());
                return;
            }
            accepted.triggers().remove(trigger);
            if (accepted.triggers().isEmpty()) {
                live.remove(seq);
            }
        }
    }

    /** Journals a dead letter and forces it to disk. */
    void deadLetter(DeadLetter letter) throws IOException {
        long end;
        synchronized (writeLock) {
            end = append(deadLine(letter));
            deadLetters.put(letter.id(), letter);
        }
        sync(end);
    }

    /** Marks a dead letter as put back on the broker; it is no longer listed. */
    void replayed(String id) throws IOException {
        long end;
        synchronized (writeLock) {
            if (deadLetters.remove(id) == null) {
                return;
            }
            end = append(new Line("replayed", null, null, null, null, null, null, null, id, null, null, null, null,
                    null, null, null));
        }
        sync(end);
    }

    List<DeadLetter> deadLetters() {
        synchronized (writeLock) {
            return List.copyOf(deadLetters.values());
        }
    }

    Optional<DeadLetter> deadLetter(String id) {
        synchronized (writeLock) {
            return Optional.ofNullable(deadLetters.get(id));
        }
    }

    /** Accepted events with Triggers left to reach. */
    int pendingCount() {
        synchronized (writeLock) {
            return live.size();
        }
    }

    @Override
    public void close() {
        synchronized (writeLock) {
            synchronized (syncLock) {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    channel.force(false);
                    channel.close();
                } catch (IOException e) {
                    log.warn("broker journal: closing {} failed: {}", directory, e.toString());
                }
            }
        }
    }

    // --- writing

    /** Appends one record (caller holds {@code writeLock}); returns the end position to {@link #sync} to. */
    private long append(Line line) throws IOException {
        if (closed) {
            throw new IOException("the broker journal is closed");
        }
        if (segmentSize >= compactAt) {
            synchronized (syncLock) {
                compact();
            }
        }
        int length = write(channel, line);
        segmentSize += length;
        written += length;
        return written;
    }

    /** Group commit: one {@code force} covers every record written before it started. */
    private void sync(long end) throws IOException {
        if (synced >= end) {
            return;
        }
        synchronized (syncLock) {
            if (synced >= end) {
                return;
            }
            if (closed) {
                throw new IOException("the broker journal is closed");
            }
            long target = written;
            channel.force(false);
            synced = target;
        }
    }

    /**
     * Writes the live state into a new segment, forces it, and deletes the older segments (caller holds both
     * locks).
     */
    private void compact() throws IOException {
        List<Path> old = segments();
        Path next = directory.resolve("journal-%012d.log".formatted(++segmentNumber));
        FileChannel fresh = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        long size = write(fresh, new Line("mark", nextSeq - 1, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null));
        for (Accepted accepted : live.values()) {
            size += write(fresh, acceptLine(accepted));
        }
        for (DeadLetter letter : deadLetters.values()) {
            size += write(fresh, deadLine(letter));
        }
        fresh.force(true);
        forceDirectory();
        FileChannel previous = channel;
        channel = fresh;
        segmentSize = size;
        compactAt = Math.max(segmentBytes, 2 * size);
        synced = written;
        if (previous != null) {
            previous.close();
        }
        for (Path segment : old) {
            Files.deleteIfExists(segment);
        }
        forceDirectory();
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can fsync a directory; the segment itself is forced
        }
    }

    private static int write(FileChannel target, Line line) throws IOException {
        byte[] payload = JSON.writeValueAsBytes(line);
        CRC32 crc = new CRC32();
        crc.update(payload);
        ByteBuffer buffer = ByteBuffer.allocate(8 + payload.length);
        buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        while (buffer.hasRemaining()) {
            target.write(buffer);
        }
        return 8 + payload.length;
    }

    private static Line acceptLine(Accepted accepted) {
        return new Line("accept", accepted.seq(), accepted.headers(),
                Base64.getEncoder().encodeToString(accepted.body()), List.copyOf(accepted.triggers()),
                accepted.replyOfEvent(), accepted.replyOfTrigger(), null, null, null, null, null, null, null, null,
                accepted.acceptedAt().toString());
    }

    private static Line deadLine(DeadLetter letter) {
        return new Line("dead", null, letter.headers(), Base64.getEncoder().encodeToString(letter.body()), null,
                null, null, letter.trigger(), letter.id(), letter.reason(), letter.errorDest(), letter.errorCode(),
                letter.errorData(), letter.sink(), letter.sinkStatus(), letter.deadLetteredAt().toString());
    }

    // --- reading

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(path -> SEGMENT.matcher(path.getFileName().toString()).matches())
                    .sorted((a, b) -> Long.compare(number(a), number(b))).toList();
        }
    }

    private static long number(Path segment) {
        Matcher matcher = SEGMENT.matcher(segment.getFileName().toString());
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private void replay(Path segment) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(segment));
        int records = 0;
        while (data.remaining() >= 8) {
            int length = data.getInt();
            int expectedCrc = data.getInt();
            if (length < 0 || length > MAX_RECORD_BYTES || length > data.remaining()) {
                log.warn("broker journal: {} ends with a torn record after {} records; ignoring the rest",
                        segment.getFileName(), records);
                return;
            }
            byte[] payload = new byte[length];
            data.get(payload);
            CRC32 crc = new CRC32();
            crc.update(payload);
            if ((int) crc.getValue() != expectedCrc) {
                log.warn("broker journal: {} has a corrupt record after {} records; ignoring the rest",
                        segment.getFileName(), records);
                return;
            }
            try {
                apply(JSON.readValue(payload, Line.class));
            } catch (JacksonException | IllegalArgumentException e) {
                log.warn("broker journal: {} has an unreadable record after {} records; ignoring the rest: {}",
                        segment.getFileName(), records, e.getMessage());
                return;
            }
            records++;
        }
    }

    private void apply(Line line) {
        switch (line.op()) {
            case "accept" -> {
                live.put(line.seq(), new Accepted(line.seq(), line.headers(), Base64.getDecoder().decode(line.body()),
                        new LinkedHashSet<>(line.triggers()), line.replyOfEvent(), line.replyOfTrigger(),
                        Instant.parse(line.at())));
                nextSeq = Math.max(nextSeq, line.seq() + 1);
            }
            case "ack" -> {
                Accepted accepted = live.get(line.seq());
                if (accepted != null) {
                    accepted.triggers().remove(line.trigger());
                    if (accepted.triggers().isEmpty()) {
                        live.remove(line.seq());
                    }
                }
            }
            case "dead" -> deadLetters.put(line.id(), new DeadLetter(line.id(), line.headers(),
                    Base64.getDecoder().decode(line.body()), line.trigger(), line.reason(), line.errorDest(),
                    line.errorCode() == null ? 0 : line.errorCode(), line.errorData(), line.sink(), line.sinkStatus(),
                    Instant.parse(line.at())));
            case "replayed" -> deadLetters.remove(line.id());
            case "mark" -> nextSeq = Math.max(nextSeq, line.seq() + 1);
            default -> throw new IllegalArgumentException("unknown journal record '" + line.op() + "'");
        }
    }

    /** Dead letter ids: the accepted event's sequence number and the Trigger, unique and safe in a URL path. */
    static String deadLetterId(long seq, String trigger) {
        return seq + "-" + trigger;
    }
}
