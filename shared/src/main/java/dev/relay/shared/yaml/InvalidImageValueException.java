package dev.relay.shared.yaml;

/** A tag, digest, image name or path was rejected before any text was touched. The message names the field. */
public class InvalidImageValueException extends IllegalArgumentException {

    private final String field;

    public InvalidImageValueException(String field, String message) {
        super(field + " " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
