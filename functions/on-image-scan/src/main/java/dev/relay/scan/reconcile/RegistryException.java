package dev.relay.scan.reconcile;

/** A registry could not answer what reconcile asked; the message names the registry and the request. */
public final class RegistryException extends Exception {

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
