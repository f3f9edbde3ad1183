package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.yaml.YamlStructureException;
import java.util.List;
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
 * The image an environment's manifest deploys now, read the way the pipeline writes it: Kustomize
 * {@code images[name=<image name>].newTag/.digest} or the Helm values at {@code tagPath}/{@code digestPath}. Scalars are
 * read as written (a plain {@code 1.10} stays "1.10").
 *
 * @param tag    null when the manifest sets none
 * @param digest null when the manifest is not pinned by digest
 */
record DeployedImage(String tag, String digest) {

    static DeployedImage read(String manifest, RelayProperties.Pipeline pipeline,
            RelayProperties.Environment environment) {
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setParseComments(false).build()).composeString(manifest)
                    .orElse(null);
        } catch (YamlEngineException e) {
            throw new YamlStructureException("document is not valid YAML: " + e.getMessage().lines().findFirst()
                    .orElse(""), e);
        }
        if (!(root instanceof MappingNode document)) {
            throw new YamlStructureException("the document is not a mapping");
        }
        return switch (environment.strategy()) {
            case KUSTOMIZE -> kustomize(document, environment.kustomizeImageName(pipeline));
            case HELM -> new DeployedImage(at(document, environment.tagPath()).orElse(null),
                    at(document, environment.digestPath()).orElse(null));
        };
    }

    private static DeployedImage kustomize(MappingNode document, String imageName) {
        Node images = value(document, "images").orElseThrow(() ->
                new YamlStructureException("no images: entry sets " + imageName));
        if (images instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                if (item instanceof MappingNode entry
                        && value(entry, "name").flatMap(DeployedImage::scalar).filter(imageName::equals).isPresent()) {
                    return new DeployedImage(value(entry, "newTag").flatMap(DeployedImage::scalar).orElse(null),
                            value(entry, "digest").flatMap(DeployedImage::scalar).orElse(null));
                }
            }
        }
        throw new YamlStructureException("no images: entry sets " + imageName);
    }

    private static Optional<String> at(MappingNode document, String dottedPath) {
        Node node = document;
        for (String segment : List.of(dottedPath.split("\\."))) {
            if (!(node instanceof MappingNode mapping)) {
                return Optional.empty();
            }
            Optional<Node> next = value(mapping, segment);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            node = next.get();
        }
        return scalar(node);
    }

    private static Optional<Node> value(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode name && key.equals(name.getValue())) {
                return Optional.of(tuple.getValueNode());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> scalar(Node node) {
        if (node instanceof ScalarNode scalar && !scalar.getValue().isBlank()
                && !(scalar.isPlain() && scalar.getValue().matches("null|Null|NULL|~"))) {
            return Optional.of(scalar.getValue().strip());
        }
        return Optional.empty();
    }
}
