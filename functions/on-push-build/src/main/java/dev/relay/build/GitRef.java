package dev.relay.build;

import java.util.Optional;
import java.util.regex.Pattern;

/** A pushed branch or tag: {@code refs/heads/<name>} or {@code refs/tags/<name>}. */
public record GitRef(Kind kind, String name) {

    public enum Kind { BRANCH, TAG }

    private static final String HEADS = "refs/heads/";
    private static final String TAGS = "refs/tags/";
    /** git check-ref-format's forbidden characters, plus '#' (it separates the parts of a Kaniko git context). */
    private static final Pattern FORBIDDEN = Pattern.compile("[\\x00-\\x20\\x7f~^:?*\\[\\\\#]");

    /** Parses a full ref name; empty when it is not a well-formed branch or tag ref. */
    public static Optional<GitRef> parse(String ref) {
        if (ref == null || ref.length() > 255) {
            return Optional.empty();
        }
        Kind kind;
        String name;
        if (ref.startsWith(HEADS)) {
            kind = Kind.BRANCH;
            name = ref.substring(HEADS.length());
        } else if (ref.startsWith(TAGS)) {
            kind = Kind.TAG;
            name = ref.substring(TAGS.length());
        } else {
            return Optional.empty();
        }
        return isWellFormed(name) ? Optional.of(new GitRef(kind, name)) : Optional.empty();
    }

    static boolean isWellFormed(String name) {
        if (name.isEmpty() || FORBIDDEN.matcher(name).find() || name.contains("..") || name.contains("@{")
                || name.contains("//") || name.endsWith("/") || name.endsWith(".") || name.endsWith(".lock")
                || name.equals("@")) {
            return false;
        }
        for (String component : name.split("/")) {
            if (component.startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    public String fullName() {
        return (kind == Kind.BRANCH ? HEADS : TAGS) + name;
    }

    public boolean isBranch() {
        return kind == Kind.BRANCH;
    }

    @Override
    public String toString() {
        return (kind == Kind.BRANCH ? "branch '" : "tag '") + name + "'";
    }
}
