package dev.relay.shared.yaml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Sets a dotted path ({@code image.tag}, {@code app.image.digest}) in a Helm values.yaml, changing only the
 * bytes of that value; missing keys and intermediate mappings are added in block style.
 */
public final class HelmValuesSetter {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final int STEP = 2;

    private HelmValuesSetter() {
    }

    /** Sets an image tag at {@code path}, validating it against the tag grammar first. */
    public static YamlEdit setTag(String text, String path, String tag) {
        return apply(text, segments(path), ImageValues.requireTag(path, tag));
    }

    /** Sets an image digest ({@code sha256:<64 hex>}) at {@code path}, validating it first. */
    public static YamlEdit setDigest(String text, String path, String digest) {
        return apply(text, segments(path), ImageValues.requireDigest(path, digest));
    }

    /** Sets any single-line value made of {@code [A-Za-z0-9_./:@+-]} (for example a repository). */
    public static YamlEdit set(String text, String path, String value) {
        return apply(text, segments(path), ImageValues.requireSafeScalar(path, value));
    }

    private static List<String> segments(String path) {
        if (path == null || path.isEmpty()) {
            throw new InvalidImageValueException("path", "must not be empty");
        }
        List<String> segments = Arrays.asList(path.split("\\.", -1));
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new InvalidImageValueException("path",
                        "must be dot-separated keys of [A-Za-z0-9_-]: " + ImageValues.printable(path));
            }
        }
        return segments;
    }

    private static YamlEdit apply(String text, List<String> path, String value) {
        YamlSource src = YamlSource.parse(text);
        Node root = src.root().orElse(null);
        if (root == null) {
            src.insertLines(src.text().length(), newLines(path, 0, 0, value));
            return new YamlEdit(src.result(), null, value, true);
        }
        MappingNode current = src.blockMapping(root, "values document");
        for (int i = 0; i < path.size(); i++) {
            String key = path.get(i);
            NodeTuple tuple = YamlSource.find(current, key);
            boolean leaf = i == path.size() - 1;
            if (tuple == null) {
                int at = i == 0 ? src.text().length() : src.lineAfter(current);
                src.insertLines(at, newLines(path, i, src.keyColumn(current), value));
                return new YamlEdit(src.result(), null, value, true);
            }
            if (leaf) {
                List<String> unused = new ArrayList<>();
                String old = KustomizeImageSetter.setScalar(src, current, key, value, "", unused);
                return src.changed() ? new YamlEdit(src.result(), old, value, true)
                        : YamlEdit.unchanged(src.text(), value);
            }
            Node child = tuple.getValueNode();
            if (YamlSource.isEmptyScalar(child)) {
                int indent = src.column(tuple.getKeyNode()) + STEP;
                src.insertLines(src.lineAfter(tuple.getKeyNode()), newLines(path, i + 1, indent, value));
                return new YamlEdit(src.result(), null, value, true);
            }
            current = src.blockMapping(child, String.join(".", path.subList(0, i + 1)));
        }
        throw new IllegalStateException("unreachable");
    }

    private static List<String> newLines(List<String> path, int from, int indent, String value) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < path.size(); i++) {
            String prefix = YamlSource.spaces(indent + (i - from) * STEP) + path.get(i) + ":";
            lines.add(i == path.size() - 1 ? prefix + " " + ImageValues.render(value, ScalarStyle.PLAIN) : prefix);
        }
        return lines;
    }
}
