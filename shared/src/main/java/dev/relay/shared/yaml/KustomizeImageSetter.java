package dev.relay.shared.yaml;

import java.util.ArrayList;
import java.util.List;

import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Sets {@code newTag} (and optionally {@code digest}) of one {@code images:} entry of a kustomization.yaml,
 * changing only the bytes of the values concerned.
 */
public final class KustomizeImageSetter {

    static final String IMAGES = "images";
    static final String NAME = "name";
    static final String NEW_TAG = "newTag";
    static final String DIGEST = "digest";

    private KustomizeImageSetter() {
    }

    /**
     * @param text      the kustomization.yaml text
     * @param imageName the {@code name} of the images entry
     * @param newTag    the tag to set
     * @param digest    the digest to pin, or null to leave any digest alone
     * @return the edited text; {@code oldValue} is the previous tag, null when the entry or key was added
     * @throws InvalidImageValueException if a value is invalid (nothing is parsed or changed)
     * @throws YamlStructureException     if the document cannot be edited
     */
    public static YamlEdit set(String text, String imageName, String newTag, String digest) {
        ImageValues.requireImageName("imageName", imageName);
        ImageValues.requireTag(NEW_TAG, newTag);
        if (digest != null) {
            ImageValues.requireDigest(DIGEST, digest);
        }
        YamlSource src = YamlSource.parse(text);
        Node root = src.root().orElse(null);
        if (root == null) {
            src.insertLines(src.text().length(), imagesBlock(imageName, newTag, digest));
            return new YamlEdit(src.result(), null, newTag, true);
        }
        MappingNode document = src.blockMapping(root, "kustomization");
        NodeTuple images = YamlSource.find(document, IMAGES);
        if (images == null) {
            List<String> lines = new ArrayList<>();
            for (String line : imagesBlock(imageName, newTag, digest)) {
                lines.add(YamlSource.spaces(src.keyColumn(document)) + line);
            }
            src.insertLines(src.text().length(), lines);
            return new YamlEdit(src.result(), null, newTag, true);
        }
        Node value = images.getValueNode();
        if (YamlSource.isEmptyScalar(value)) {
            int indent = src.column(images.getKeyNode());
            src.insertLines(src.lineAfter(images.getKeyNode()), entry(indent, 2, imageName, newTag, digest));
            return new YamlEdit(src.result(), null, newTag, true);
        }
        if (!(value instanceof SequenceNode sequence) || YamlSource.isFlow(value)) {
            throw new YamlStructureException("images is not a block sequence");
        }
        for (Node item : sequence.getValue()) {
            if (item instanceof MappingNode mapping && imageName.equals(nameOf(mapping))) {
                if (YamlSource.isFlow(mapping)) {
                    throw new YamlStructureException("images entry " + imageName + " is a flow mapping");
                }
                return update(src, mapping, newTag, digest);
            }
        }
        int dash = src.column(sequence);
        Node first = sequence.getValue().get(0);
        int offset = Math.max(2, src.column(first) - dash);
        src.insertLines(src.lineAfter(sequence), entry(dash, offset, imageName, newTag, digest));
        return new YamlEdit(src.result(), null, newTag, true);
    }

    private static String nameOf(MappingNode entry) {
        NodeTuple name = YamlSource.find(entry, NAME);
        return name != null && name.getValueNode() instanceof ScalarNode scalar ? scalar.getValue() : null;
    }

    private static YamlEdit update(YamlSource src, MappingNode entry, String newTag, String digest) {
        List<String> added = new ArrayList<>();
        String indent = YamlSource.spaces(src.keyColumn(entry));
        String oldTag = setScalar(src, entry, NEW_TAG, newTag, indent, added);
        if (digest != null) {
            setScalar(src, entry, DIGEST, digest, indent, added);
        }
        if (!added.isEmpty()) {
            src.insertLines(src.lineAfter(entry), added);
        }
        return src.changed() ? new YamlEdit(src.result(), oldTag, newTag, true)
                : YamlEdit.unchanged(src.text(), newTag);
    }

    /** Replaces the value of {@code key} or queues a new line for it; returns the previous value or null. */
    static String setScalar(YamlSource src, MappingNode mapping, String key, String value, String indent,
            List<String> added) {
        NodeTuple tuple = YamlSource.find(mapping, key);
        if (tuple == null) {
            added.add(indent + key + ": " + ImageValues.render(value, ScalarStyle.PLAIN));
            return null;
        }
        if (!(tuple.getValueNode() instanceof ScalarNode scalar)) {
            throw new YamlStructureException(key + " is not a scalar");
        }
        if (YamlSource.isEmptyScalar(scalar)) {
            src.insert(src.start(scalar), " " + ImageValues.render(value, ScalarStyle.PLAIN));
            return null;
        }
        if (scalar.getValue().equals(value)) {
            return value;
        }
        if (src.text().startsWith("!", src.start(scalar))) {
            throw new YamlStructureException(key + " has an explicit tag; refusing to rewrite it");
        }
        src.replace(scalar, ImageValues.render(value, scalar.getScalarStyle()));
        return scalar.getValue();
    }

    private static List<String> imagesBlock(String imageName, String newTag, String digest) {
        List<String> lines = new ArrayList<>();
        lines.add(IMAGES + ":");
        lines.addAll(entry(0, 2, imageName, newTag, digest));
        return lines;
    }

    private static List<String> entry(int dash, int offset, String imageName, String newTag, String digest) {
        String first = YamlSource.spaces(dash) + "-" + YamlSource.spaces(offset - 1);
        String rest = YamlSource.spaces(dash + offset);
        List<String> lines = new ArrayList<>();
        lines.add(first + NAME + ": " + ImageValues.render(imageName, ScalarStyle.PLAIN));
        lines.add(rest + NEW_TAG + ": " + ImageValues.render(newTag, ScalarStyle.PLAIN));
        if (digest != null) {
            lines.add(rest + DIGEST + ": " + ImageValues.render(digest, ScalarStyle.PLAIN));
        }
        return lines;
    }
}
