package dev.relay.shared.yaml;

import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.common.ScalarStyle;

/**
 * Validation of image values (run before any text is touched) and rendering of scalars so that a plain
 * scalar never changes type (a tag {@code 1.10}, {@code true} or {@code 0123} stays a string).
 */
public final class ImageValues {

    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

    // distribution/reference grammar: [domain '/'] path-component ('/' path-component)*
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*(?::[0-9]+)?";
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern IMAGE_NAME =
            Pattern.compile("(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*");
    private static final int MAX_NAME_LENGTH = 255;

    /** Characters allowed in a generic value written by {@link HelmValuesSetter#set}. */
    private static final Pattern SAFE_SCALAR = Pattern.compile("[A-Za-z0-9_./:@+-]{1,255}");

    // Plain scalars that YAML 1.1 or 1.2 (core/json) would resolve to something other than a string.
    private static final Pattern NON_STRING = Pattern.compile(String.join("|",
            "(?i:y|yes|n|no|true|false|on|off|null|~)",
            "[-+]?(?:\\.[0-9_]+|[0-9][0-9_]*(?:\\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?",
            "[-+]?0x[0-9a-fA-F_]+",
            "[-+]?0o[0-7_]+",
            "[-+]?0b[01_]+",
            "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?",
            "[-+]?\\.(?:inf|Inf|INF)",
            "\\.(?:nan|NaN|NAN)",
            "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*"));

    private ImageValues() {
    }

    public static String requireTag(String field, String tag) {
        requirePresent(field, tag);
        if (!TAG.matcher(tag).matches()) {
            throw new InvalidImageValueException(field,
                    "is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}): " + printable(tag));
        }
        return tag;
    }

    public static String requireDigest(String field, String digest) {
        requirePresent(field, digest);
        if (!DIGEST.matcher(digest).matches()) {
            throw new InvalidImageValueException(field,
                    "is not a valid digest (sha256: followed by 64 lowercase hex digits): " + printable(digest));
        }
        return digest;
    }

    public static String requireImageName(String field, String name) {
        requirePresent(field, name);
        if (name.length() > MAX_NAME_LENGTH || !IMAGE_NAME.matcher(name).matches()) {
            throw new InvalidImageValueException(field,
                    "is not a valid image name (distribution reference, lowercase path): " + printable(name));
        }
        return name;
    }

    /** A value for a generic key: one line, no YAML indicators that need escaping. */
    public static String requireSafeScalar(String field, String value) {
        requirePresent(field, value);
        if (!SAFE_SCALAR.matcher(value).matches()) {
            throw new InvalidImageValueException(field,
                    "contains characters not allowed in a value ([A-Za-z0-9_./:@+-], at most 255): "
                            + printable(value));
        }
        return value;
    }

    /** Whether {@code value} written as a plain scalar would be read back as the same string. */
    public static boolean isPlainString(String value) {
        if (value.isEmpty() || NON_STRING.matcher(value).matches()) {
            return false;
        }
        char first = value.charAt(0);
        return Character.isLetterOrDigit(first) || first == '_' || first == '/' || first == '.';
    }

    /**
     * Renders {@code value} (already validated) in the given style; a plain scalar that would be mis-typed is
     * double-quoted instead.
     */
    static String render(String value, ScalarStyle style) {
        switch (style) {
            case SINGLE_QUOTED:
                return "'" + value.replace("'", "''") + "'";
            case DOUBLE_QUOTED:
                return doubleQuoted(value);
            case PLAIN:
                return isPlainString(value) ? value : doubleQuoted(value);
            default:
                throw new YamlStructureException("cannot replace a " + style + " scalar");
        }
    }

    private static String doubleQuoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void requirePresent(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidImageValueException(field, "must not be empty");
        }
    }

    /** Shows a rejected value without letting it break a log line. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder("\"");
        value.codePoints().limit(140).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        if (value.codePointCount(0, value.length()) > 140) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
