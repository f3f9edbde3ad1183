package dev.relay.shared.manifest;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.gitops.FileChange;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.yaml.HelmValuesSetter;
import dev.relay.shared.yaml.KustomizeImageSetter;
import dev.relay.shared.yaml.YamlEdit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The image an environment's manifest pins, written the pipeline's way: Kustomize {@code images[].newTag} (and
 * {@code digest}) or Helm values paths, byte-preserving. Used by bumps, promotions and rollbacks alike.
 */
public final class EnvironmentManifest {

    private final RelayProperties.Pipeline pipeline;
    private final RelayProperties.Environment environment;

    public EnvironmentManifest(RelayProperties.Pipeline pipeline, RelayProperties.Environment environment) {
        this.pipeline = pipeline;
        this.environment = environment;
    }

    /**
     * Sets {@code tag} (and {@code digest} when the environment pins digests) in the checked-out work tree.
     *
     * @return the change, or empty when the manifest already holds that image
     */
    public Optional<FileChange> set(Path workTree, String tag, String digest) throws IOException {
        return prepare(workTree, tag, digest).write();
    }

    /** The edit that would set {@code tag} (and {@code digest}), computed but not yet written. */
    public Prepared prepare(Path workTree, String tag, String digest) throws IOException {
        Path file = GitOpsWriter.resolveInside(workTree, environment.path());
        String original = Files.readString(file, StandardCharsets.UTF_8);
        String pinned = environment.pinDigest() ? digest : null;
        YamlEdit edit = switch (environment.strategy()) {
            case KUSTOMIZE -> KustomizeImageSetter.set(original, environment.kustomizeImageName(pipeline), tag,
                    pinned);
            case HELM -> helm(original, tag, pinned);
        };
        return new Prepared(file, environment.path(), tag, edit);
    }

    /**
     * A computed edit of the manifest.
     *
     * @param edit its {@code oldValue} is the tag the manifest pins now (null when it pins none)
     */
    public record Prepared(Path file, String path, String tag, YamlEdit edit) {

        public Optional<String> currentTag() {
            return Optional.ofNullable(edit.oldValue()).filter(tag -> !tag.isBlank());
        }

        /** Writes the edit; empty when the manifest already holds the image. */
        public Optional<FileChange> write() throws IOException {
            if (!edit.changed()) {
                return Optional.empty();
            }
            Files.writeString(file, edit.text(), StandardCharsets.UTF_8);
            return Optional.of(new FileChange(path, edit.oldValue(), tag));
        }
    }

    private YamlEdit helm(String original, String tag, String digest) {
        YamlEdit tagEdit = HelmValuesSetter.setTag(original, environment.tagPath(), tag);
        if (digest == null) {
            return tagEdit;
        }
        YamlEdit digestEdit = HelmValuesSetter.setDigest(tagEdit.text(), environment.digestPath(), digest);
        return new YamlEdit(digestEdit.text(), tagEdit.oldValue(), tag, tagEdit.changed() || digestEdit.changed());
    }
}
