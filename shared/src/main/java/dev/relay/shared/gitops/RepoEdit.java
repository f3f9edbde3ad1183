package dev.relay.shared.gitops;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One change to a configuration repository. {@link #apply} may run more than once (after a rejected push it
 * is re-run on the new head), so it must compute its edit from the files it finds.
 */
public interface RepoEdit {

    /** Written as trailer {@code Relay-Event-Id}; a commit carrying it on the branch means "already applied". */
    String eventId();

    /**
     * Edits files in place under {@code workTree}; resolve paths with {@link GitOpsWriter#resolveInside}.
     *
     * @return the changes made; an empty list means nothing to do
     */
    List<FileChange> apply(Path workTree) throws IOException;

    CommitMessage message(List<FileChange> changes);
}
