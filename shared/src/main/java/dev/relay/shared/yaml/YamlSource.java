package dev.relay.shared.yaml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.CollectionNode;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The original text of a YAML document plus its composed node tree, and a list of splices to apply to that
 * text. Snakeyaml marks are code-point indexes into the text without BOM; {@link #charIndex} converts them.
 */
final class YamlSource {

    private static final char BOM = '\uFEFF';

    private final String text;
    private final int bomLength;
    private final boolean surrogates;
    private final String newline;
    private final Node root;
    private final List<Splice> splices = new ArrayList<>();

    private record Splice(int start, int end, String replacement) {
    }

    private YamlSource(String text) {
        this.text = text;
        this.bomLength = !text.isEmpty() && text.charAt(0) == BOM ? 1 : 0;
        this.surrogates = text.codePoints().anyMatch(Character::isSupplementaryCodePoint);
        this.newline = text.contains("\r\n") ? "\r\n" : "\n";
        String body = text.substring(bomLength);
        try {
            this.root = new Compose(LoadSettings.builder().setParseComments(false).build())
                    .composeString(body).orElse(null);
        } catch (YamlEngineException e) {
            throw new YamlStructureException("document is not valid YAML: " + firstLine(e.getMessage()), e);
        }
    }

    static YamlSource parse(String text) {
        if (text == null) {
            throw new YamlStructureException("document text is null");
        }
        return new YamlSource(text);
    }

    Optional<Node> root() {
        return Optional.ofNullable(root);
    }

    String newline() {
        return newline;
    }

    String text() {
        return text;
    }

    /** The root as a block mapping; {@code what} names it in the error. */
    MappingNode blockMapping(Node node, String what) {
        if (node instanceof MappingNode mapping && mapping.getFlowStyle() != FlowStyle.FLOW) {
            return mapping;
        }
        if (node instanceof MappingNode) {
            throw new YamlStructureException(what + " is a flow mapping ({...}); only block style can be edited");
        }
        throw new YamlStructureException(what + " is not a mapping");
    }

    static boolean isFlow(Node node) {
        return node instanceof CollectionNode<?> collection && collection.getFlowStyle() == FlowStyle.FLOW;
    }

    /** The tuple whose key is the plain scalar {@code key}, or null. */
    static NodeTuple find(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return tuple;
            }
        }
        return null;
    }

    static boolean isEmptyScalar(Node node) {
        return node instanceof ScalarNode s && s.getValue().isEmpty()
                && s.getScalarStyle() == org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN;
    }

    int start(Node node) {
        return charIndex(mark(node.getStartMark()).getIndex());
    }

    int end(Node node) {
        return charIndex(mark(node.getEndMark()).getIndex());
    }

    int column(Node node) {
        return mark(node.getStartMark()).getColumn();
    }

    /** Column of the keys of a block mapping. */
    int keyColumn(MappingNode mapping) {
        return column(mapping.getValue().get(0).getKeyNode());
    }

    /** End of the last scalar inside {@code node} (collection end marks point at the next token, past comments). */
    int contentEnd(Node node) {
        if (node instanceof ScalarNode) {
            return end(node);
        }
        int max = start(node);
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                max = Math.max(max, contentEnd(tuple.getKeyNode()));
                max = Math.max(max, contentEnd(tuple.getValueNode()));
            }
        } else if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                max = Math.max(max, contentEnd(item));
            }
        }
        return max;
    }

    /** Where new lines go after {@code node}: the start of the line after its last content. */
    int lineAfter(Node node) {
        return lineAfter(contentEnd(node));
    }

    int lineAfter(int index) {
        if (index > 0 && text.charAt(index - 1) == '\n') {
            return index; // block scalars end after their own line break
        }
        int nl = text.indexOf('\n', index);
        return nl < 0 ? text.length() : nl + 1;
    }

    /** Inserts whole lines (each given without line break) at a line start or at the end of the text. */
    void insertLines(int at, List<String> lines) {
        StringBuilder out = new StringBuilder();
        if (at == text.length() && !text.isEmpty() && text.charAt(text.length() - 1) != '\n') {
            out.append(newline);
        }
        for (String line : lines) {
            out.append(line).append(newline);
        }
        splices.add(new Splice(at, at, out.toString()));
    }

    void replace(Node node, String replacement) {
        splices.add(new Splice(start(node), end(node), replacement));
    }

    void insert(int at, String value) {
        splices.add(new Splice(at, at, value));
    }

    boolean changed() {
        return !splices.isEmpty();
    }

    /** Applies the splices; the untouched bytes of the original text are copied verbatim. */
    String result() {
        List<Splice> ordered = new ArrayList<>(splices);
        ordered.sort(Comparator.comparingInt(Splice::start).thenComparingInt(s -> splices.indexOf(s)));
        StringBuilder out = new StringBuilder(text.length() + 64);
        int pos = 0;
        for (Splice splice : ordered) {
            if (splice.start() < pos) {
                throw new IllegalStateException("overlapping edits");
            }
            out.append(text, pos, splice.start()).append(splice.replacement());
            pos = splice.end();
        }
        return out.append(text, pos, text.length()).toString();
    }

    static String spaces(int n) {
        return " ".repeat(Math.max(0, n));
    }

    private int charIndex(int codePointIndex) {
        int index = surrogates ? text.offsetByCodePoints(bomLength, codePointIndex) : bomLength + codePointIndex;
        return Math.min(index, text.length());
    }

    private static Mark mark(Optional<Mark> mark) {
        return mark.orElseThrow(() -> new YamlStructureException("node without source position"));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "parse error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
