package dev.relay.verify;

import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.RepoEdit;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.http.GitWriteProblems;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.ledger.VerifiedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a passed verification in the config repository's ledger ({@link VerificationLedger}) before the answer is
 * sent, keyed by the event id: a redelivered event finds its commit ({@code AlreadyApplied}) and records nothing new.
 * A verification of the image and revision the ledger file already holds (another notification of the same
 * reconcile, handled concurrently) records nothing either. Git trouble is 5xx, so the broker redelivers and the answer
 * never claims a record that is not there.
 */
public final class VerificationRecorder {

    /** What the write did. */
    public sealed interface Recorded {

        /** The ledger commit that records the verification. */
        String commit();

        /** This event wrote {@code commit} now. */
        record Written(String commit) implements Recorded {
        }

        /** This event had written {@code commit} before (a redelivery): the same answer again. */
        record Redelivered(String commit) implements Recorded {
        }

        /** Another event's commit already records this image at this revision: nothing to record or announce. */
        record AlreadyRecorded(String commit) implements Recorded {
        }
    }

    private final GitOpsWriter writer;
    private final Clock clock;

    public VerificationRecorder(GitOpsWriter writer, Clock clock) {
        this.writer = writer;
        this.clock = clock;
    }

    public Recorded record(VerifyRequest request, ExpectedImage verified) {
        VerifiedImage image = new VerifiedImage(request.app(), request.environmentName(), verified.image(),
                verified.tag(), verified.digest(), request.revision(), null, clock.instant());
        RepoEdit edit = new UnlessRecorded(VerificationLedger.record(request.eventId(), request.trace(), image), image);
        WriteOutcome outcome = GitWriteProblems.write(writer, request.pipeline().configRepo().toConfigRepository(),
                edit, VerificationLedger.path(request.app(), request.environmentName()));
        if (outcome instanceof WriteOutcome.Committed committed) {
            return new Recorded.Written(committed.commitId());
        }
        if (outcome instanceof WriteOutcome.AlreadyApplied applied) {
            return new Recorded.Redelivered(applied.commitId());
        }
        return new Recorded.AlreadyRecorded(null);
    }

    /** The ledger edit, doing nothing when the file already records the same image, digest and revision. */
    private record UnlessRecorded(RepoEdit record, VerifiedImage image) implements RepoEdit {

        @Override
        public String eventId() {
            return record.eventId();
        }

        @Override
        public List<FileChange> apply(Path workTree) throws IOException {
            Path file = GitOpsWriter.resolveInside(workTree, VerificationLedger.path(image.app(), image.environment()));
            if (Files.isRegularFile(file) && recordsSame(Files.readString(file, StandardCharsets.UTF_8))) {
                return List.of();
            }
            return record.apply(workTree);
        }

        @Override
        public CommitMessage message(List<FileChange> changes) {
            return record.message(changes);
        }

        private boolean recordsSame(String ledgerFile) {
            Map<String, String> fields = new HashMap<>();
            for (String line : ledgerFile.split("\n")) {
                int colon = line.indexOf(": ");
                if (!line.startsWith("#") && colon > 0) {
                    fields.put(line.substring(0, colon), unquoted(line.substring(colon + 2).strip()));
                }
            }
            return image.image().equals(fields.get("image")) && image.digest().equals(fields.get("digest"))
                    && (image.tag() == null ? "" : image.tag()).equals(fields.get("tag"))
                    && image.revision().equals(fields.get("revision"));
        }

        private static String unquoted(String value) {
            return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                    ? value.substring(1, value.length() - 1) : value;
        }
    }
}
