package dev.relay.shared.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/** Test edit: sets the whole content of one file (resolved with {@link GitOpsWriter#resolveInside}). */
record SetFileEdit(String eventId, String path, String content) implements RepoEdit {

    @Override
    public List<FileChange> apply(Path workTree) throws IOException {
        Path file = GitOpsWriter.resolveInside(workTree, path);
        String old = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        if (content.equals(old)) {
            return List.of();
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return List.of(new FileChange(path, old, content));
    }

    @Override
    public CommitMessage message(List<FileChange> changes) {
        LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
        trailers.put("Relay-Image", "ghcr.io/acme/app");
        return new CommitMessage("Set " + path, "Changed " + changes.size() + " file(s).", trailers);
    }
}
