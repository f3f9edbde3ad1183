package dev.relay.shared.gitops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.revwalk.FooterLine;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * One commit of a config repository as Relay reads it back: its trailers are the chain's durable facts.
 *
 * @param trailers trailer values by key, in commit order (a key may repeat)
 */
public record CommitRecord(String id, Instant time, String subject, Map<String, List<String>> trailers) {

    public CommitRecord {
        trailers = Map.copyOf(trailers);
    }

    /** The commit as Relay reads it: committer time, subject and trailer block. */
    public static CommitRecord of(RevCommit commit) {
        Map<String, List<String>> trailers = new LinkedHashMap<>();
        for (FooterLine footer : commit.getFooterLines()) {
            trailers.computeIfAbsent(footer.getKey(), key -> new ArrayList<>()).add(footer.getValue().strip());
        }
        return new CommitRecord(commit.name(), Instant.ofEpochSecond(commit.getCommitTime()), commit.getShortMessage(),
                trailers);
    }

    /** The last value of trailer {@code key}, if the commit carries it. */
    public java.util.Optional<String> trailer(String key) {
        List<String> values = trailers.get(key);
        return values == null || values.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(values.get(values.size() - 1));
    }
}
