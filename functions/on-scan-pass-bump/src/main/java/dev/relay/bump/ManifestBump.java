package dev.relay.bump;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.gitops.CommitMessage;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.RepoEdit;
import dev.relay.shared.yaml.HelmValuesSetter;
import dev.relay.shared.yaml.KustomizeImageSetter;
import dev.relay.shared.yaml.YamlEdit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/** The edit of one environment's manifest for one bump, re-playable on any head of the branch. */
final class ManifestBump implements RepoEdit {

    private final BumpRequest request;

    ManifestBump(BumpRequest request) {
        this.request = request;
    }

    @Override
    public String eventId() {
        return request.eventId();
    }

    @Override
    public List<FileChange> apply(Path workTree) throws IOException {
        RelayProperties.Environment environment = request.environment();
        Path file = GitOpsWriter.resolveInside(workTree, environment.path());
        String original = Files.readString(file, StandardCharsets.UTF_8);
        String digest = environment.pinDigest() ? request.digest() : null;
        YamlEdit edit = switch (environment.strategy()) {
            case KUSTOMIZE -> KustomizeImageSetter.set(original,
                    environment.kustomizeImageName(request.pipeline()), request.tag(), digest);
            case HELM -> helm(original, environment, digest);
        };
        if (!edit.changed()) {
            return List.of();
        }
        Files.writeString(file, edit.text(), StandardCharsets.UTF_8);
        return List.of(new FileChange(environment.path(), edit.oldValue(), request.tag()));
    }

    private YamlEdit helm(String original, RelayProperties.Environment environment, String digest) {
        YamlEdit tagEdit = HelmValuesSetter.setTag(original, environment.tagPath(), request.tag());
        if (digest == null) {
            return tagEdit;
        }
        YamlEdit digestEdit = HelmValuesSetter.setDigest(tagEdit.text(), environment.digestPath(), digest);
        return new YamlEdit(digestEdit.text(), tagEdit.oldValue(), request.tag(),
                tagEdit.changed() || digestEdit.changed());
    }

    @Override
    public CommitMessage message(List<FileChange> changes) {
        String previous = changes.isEmpty() || changes.get(0).oldValue() == null ? "none" : changes.get(0).oldValue();
        String subject = "bump(" + request.app() + "/" + request.environment().name() + "): " + previous + " -> "
                + request.tag();
        String body = "Set " + request.image() + " to " + request.tag() + " (" + request.digest() + ") in "
                + request.environment().path() + ".";
        LinkedHashMap<String, String> trailers = new LinkedHashMap<>();
        trailers.put("Relay-Event-Id", request.eventId());
        trailers.put("Relay-Trace", request.trace());
        if (request.sourceCommit() != null) {
            trailers.put("Relay-Source-Commit", request.sourceCommit());
        }
        trailers.put("Relay-Image-Digest", request.digest());
        trailers.put("Relay-Image", request.image() + ":" + request.tag());
        trailers.put("Relay-App", request.app());
        trailers.put("Relay-Environment", request.environment().name());
        if (request.approvedBy() != null) {
            trailers.put("Relay-Approved-By", request.approvedBy());
        }
        return new CommitMessage(subject, body, trailers);
    }
}
