package dev.relay.shared.ledger;

import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.GitOpsException;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.yaml.ImageValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The config repository's record of what Relay bumped into one environment, {@code .relay/applied/<app>/<env>.yaml}:
 * the newest image (the mark an environment never falls behind, except by rollback or approval) and the events that
 * bumped it, newest first, at most {@link #KEPT}. The bump writes it in the same commit as the manifest, so a
 * redelivered event is recognised from the branch's head alone, however shallow or fresh the clone is.
 */
public final class AppliedImages {

    /** Events remembered per environment; older redeliveries are still recognised by the mark and the manifest. */
    public static final int KEPT = 100;

    private AppliedImages() {
    }

    public static String path(String app, String environment) {
        return ".relay/applied/" + app + "/" + environment + ".yaml";
    }

    /** One bump: the event that made it and the image it wrote. */
    public record Entry(String eventId, String tag, String digest, Instant sourceCommitTime) {

        public Entry {
            Objects.requireNonNull(eventId, "eventId");
            ImageValues.requireTag("tag", tag);
            ImageValues.requireDigest("digest", digest);
        }
    }

    /**
     * @param newest  the mark: the newest image bumped (or the last approved one)
     * @param applied the bumps, newest first
     */
    public record Record(String app, String environment, String image, Entry newest, List<Entry> applied) {

        public Record {
            applied = List.copyOf(applied);
        }

        public Optional<Entry> applied(String eventId) {
            return applied.stream().filter(entry -> entry.eventId().equals(eventId)).findFirst();
        }

        /** An image {@code digest} was bumped with, to order a promotion by its source commit time. */
        public Optional<Entry> withDigest(String digest) {
            return applied.stream().filter(entry -> entry.digest().equals(digest)).findFirst();
        }

        /** This record after {@code entry} was bumped; it becomes the mark when {@code newest}. */
        public Record plus(Entry entry, boolean newest) {
            List<Entry> entries = new ArrayList<>(KEPT);
            entries.add(entry);
            applied.stream().filter(e -> !e.eventId().equals(entry.eventId())).limit(KEPT - 1).forEach(entries::add);
            return new Record(app, environment, image, newest || this.newest == null ? entry : this.newest, entries);
        }

        public static Record empty(String app, String environment, String image) {
            return new Record(app, environment, image, null, List.of());
        }
    }

    /** The record of {@code app} in {@code environment} in the checked-out work tree, if Relay wrote one. */
    public static Optional<Record> read(Path workTree, String app, String environment) throws IOException {
        Path file = GitOpsWriter.resolveInside(workTree, path(app, environment));
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(Files.readString(file, StandardCharsets.UTF_8), app, environment));
        } catch (YamlEngineException | ClassCastException | IllegalArgumentException | NullPointerException e) {
            throw new GitOpsException(path(app, environment) + " is not a record Relay can read: " + e.getMessage(),
                    e);
        }
    }

    /** Writes {@code record} into the work tree. */
    public static FileChange write(Path workTree, Record record) throws IOException {
        String relative = path(record.app(), record.environment());
        Path file = GitOpsWriter.resolveInside(workTree, relative);
        String previous = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        Files.createDirectories(file.getParent());
        Files.writeString(file, render(record), StandardCharsets.UTF_8);
        return new FileChange(relative, previous == null ? null : "previous", record.newest().tag());
    }

    static String render(Record record) {
        StringBuilder out = new StringBuilder("""
                # Written by Relay (on-scan-pass-bump): the newest image bumped into this environment and the events
                # that bumped it, newest first. Relay never replaces the newest image with an older one (rollbacks
                # and approved promotions excepted) and answers a redelivered event from this file.
                """);
        out.append("app: ").append(record.app()).append('\n');
        out.append("environment: ").append(record.environment()).append('\n');
        out.append("image: ").append(record.image()).append('\n');
        out.append("newest:\n");
        entry(out, "  ", record.newest());
        out.append("applied:\n");
        for (Entry entry : record.applied()) {
            entry(out, "  - ", entry);
        }
        return out.toString();
    }

    private static void entry(StringBuilder out, String first, Entry entry) {
        String indent = " ".repeat(first.length());
        out.append(first).append("eventId: ").append(quoted(entry.eventId())).append('\n');
        out.append(indent).append("tag: ").append(quoted(entry.tag())).append('\n');
        out.append(indent).append("digest: ").append(entry.digest()).append('\n');
        if (entry.sourceCommitTime() != null) {
            out.append(indent).append("sourceCommitTime: \"").append(DoraTrailers.format(entry.sourceCommitTime()))
                    .append("\"\n");
        }
    }

    private static String quoted(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** The record in {@code text} (a file read from the branch's head). */
    @SuppressWarnings("unchecked")
    public static Record parse(String text, String app, String environment) {
        Object loaded = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(0)
                .build()).loadFromString(text);
        Map<String, Object> root = (Map<String, Object>) loaded;
        Map<String, Object> newest = (Map<String, Object>) root.get("newest");
        List<Object> applied = root.get("applied") == null ? List.of() : (List<Object>) root.get("applied");
        List<Entry> entries = new ArrayList<>();
        for (Object item : applied) {
            entries.add(entry((Map<String, Object>) item));
        }
        return new Record(app, environment, String.valueOf(root.get("image")), newest == null ? null : entry(newest),
                entries);
    }

    private static Entry entry(Map<String, Object> map) {
        Object time = map.get("sourceCommitTime");
        return new Entry(String.valueOf(map.get("eventId")), String.valueOf(map.get("tag")),
                String.valueOf(map.get("digest")),
                time == null ? null : DoraTrailers.parse(String.valueOf(time)).orElse(null));
    }
}
