package dev.relay.verify;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the image an environment's manifest sets, the way the bump writes it: Kustomize {@code images[]} entry named
 * {@code kustomizeImageName} ({@code newName}, {@code newTag}, {@code digest}), or the Helm values at {@code tagPath}
 * and {@code digestPath} with the pipeline's image. Scalars are read as written (a plain {@code 1.10} stays
 * "1.10"), from the composed node tree, never through a number-typed load.
 */
public final class ManifestImages {

    private ManifestImages() {
    }

    /** The manifest cannot tell which image should run. */
    public static final class UnreadableManifestException extends RuntimeException {
        UnreadableManifestException(String message) {
            super(message);
        }
    }

    public static ExpectedImage read(String text, RelayProperties.Pipeline pipeline,
            RelayProperties.Environment environment, String source) {
        MappingNode root = root(text, environment.path());
        return switch (environment.strategy()) {
            case KUSTOMIZE -> kustomize(root, environment.kustomizeImageName(pipeline), environment.path(), source);
            case HELM -> helm(root, pipeline.image(), environment, source);
        };
    }

    private static ExpectedImage kustomize(MappingNode root, String name, String path, String source) {
        Node images = value(root, "images").orElseThrow(() ->
                new UnreadableManifestException(path + " has no images: list, so it does not set " + name));
        if (!(images instanceof SequenceNode list)) {
            throw new UnreadableManifestException(path + ": images is not a list");
        }
        for (Node item : list.getValue()) {
            if (item instanceof MappingNode entry && scalar(entry, "name").filter(name::equals).isPresent()) {
                String image = scalar(entry, "newName").orElse(name);
                return validated(path, image, scalar(entry, "newTag").orElse(null),
                        scalar(entry, "digest").orElse(null), source);
            }
        }
        throw new UnreadableManifestException(path + " has no images: entry named " + name);
    }

    private static ExpectedImage helm(MappingNode root, String image, RelayProperties.Environment environment,
            String source) {
        String tag = at(root, environment.tagPath()).orElse(null);
        String digest = at(root, environment.digestPath()).orElse(null);
        return validated(environment.path(), image, tag, digest, source);
    }

    private static ExpectedImage validated(String path, String image, String tag, String digest, String source) {
        if (tag == null && digest == null) {
            throw new UnreadableManifestException(path + " sets neither a tag nor a digest for " + image);
        }
        try {
            ImageValues.requireImageName("image", image);
            if (tag != null) {
                ImageValues.requireTag("tag", tag);
            }
            if (digest != null) {
                ImageValues.requireDigest("digest", digest);
            }
        } catch (InvalidImageValueException e) {
            throw new UnreadableManifestException(path + ": " + e.getMessage());
        }
        return new ExpectedImage(image, tag, digest, source);
    }

    private static MappingNode root(String text, String path) {
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setParseComments(false).build()).composeString(text)
                    .orElse(null);
        } catch (YamlEngineException e) {
            String message = String.valueOf(e.getMessage());
            int nl = message.indexOf('\n');
            throw new UnreadableManifestException(path + " is not valid YAML: "
                    + (nl < 0 ? message : message.substring(0, nl)));
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new UnreadableManifestException(path + " is not a YAML mapping");
        }
        return mapping;
    }

    /** The scalar at a dotted path ({@code image.tag}), if set to a non-null value. */
    private static Optional<String> at(MappingNode root, String dottedPath) {
        MappingNode current = root;
        String[] keys = dottedPath.split("\\.");
        for (int i = 0; i < keys.length - 1; i++) {
            Optional<Node> next = value(current, keys[i]);
            if (next.isEmpty() || !(next.get() instanceof MappingNode mapping)) {
                return Optional.empty();
            }
            current = mapping;
        }
        return scalar(current, keys[keys.length - 1]);
    }

    private static Optional<Node> value(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return Optional.of(tuple.getValueNode());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> scalar(MappingNode mapping, String key) {
        return value(mapping, key).flatMap(node -> {
            if (!(node instanceof ScalarNode scalar)) {
                return Optional.empty();
            }
            String v = scalar.getValue();
            boolean plain = scalar.getScalarStyle() == org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN;
            if (v.isEmpty() || (plain && (v.equals("~") || v.equalsIgnoreCase("null")))) {
                return Optional.empty();
            }
            return Optional.of(v);
        });
    }
}
