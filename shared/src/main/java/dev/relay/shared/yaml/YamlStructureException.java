package dev.relay.shared.yaml;

/**
 * The document cannot be edited byte-preservingly: it does not parse, or the part to edit has a shape the
 * setters do not handle (flow collections, block scalars, a scalar where a mapping is expected).
 */
public class YamlStructureException extends IllegalArgumentException {

    public YamlStructureException(String message) {
        super(message);
    }

    public YamlStructureException(String message, Throwable cause) {
        super(message, cause);
    }
}
