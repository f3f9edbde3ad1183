package dev.relay.shared.yaml;

/**
 * Result of a byte-preserving YAML edit.
 *
 * @param text     the document after the edit (identical to the input when {@code changed} is false)
 * @param oldValue the value that was replaced, or {@code null} when the key or entry was added
 * @param newValue the value that was requested
 * @param changed  whether {@code text} differs from the input
 */
public record YamlEdit(String text, String oldValue, String newValue, boolean changed) {

    static YamlEdit unchanged(String text, String value) {
        return new YamlEdit(text, value, value, false);
    }
}
