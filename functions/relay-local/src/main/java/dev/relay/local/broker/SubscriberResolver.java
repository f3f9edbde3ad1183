package dev.relay.local.broker;

import java.net.URI;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Turns a Knative {@link Destination} into the address the broker posts to. A ref to a Knative Service that this
 * process hosts resolves to {@code http://127.0.0.1:<port>/<name>}; a {@code uri} is used as is; anything else
 * (a ref to something not hosted here) does not resolve.
 */
public final class SubscriberResolver {

    private final HostedFunctions hostedFunctions;
    private final IntSupplier localPort;

    /**
     * @param localPort the local server port, or a value {@code <= 0} while it is not known yet
     */
    public SubscriberResolver(HostedFunctions hostedFunctions, IntSupplier localPort) {
        this.hostedFunctions = hostedFunctions;
        this.localPort = localPort;
    }

    public Optional<URI> resolve(Destination destination) {
        if (destination instanceof Destination.Uri uri) {
            return Optional.of(uri.uri());
        }
        return resolveRef((Destination.Ref) destination);
    }

    /** Whether the destination resolves to something this process serves or a URI. */
    public boolean isResolvable(Destination destination) {
        if (destination instanceof Destination.Ref ref) {
            return ref.isKnativeService() && hostedFunctions.hosts(ref.name());
        }
        return true;
    }

    private Optional<URI> resolveRef(Destination.Ref ref) {
        if (!ref.isKnativeService() || !hostedFunctions.hosts(ref.name())) {
            return Optional.empty();
        }
        int port = localPort.getAsInt();
        if (port <= 0) {
            throw new IllegalStateException("the local server port is not known yet; cannot deliver to " + ref);
        }
        URI base = URI.create("http://127.0.0.1:" + port + "/" + ref.name());
        if (ref.path() == null) {
            return Optional.of(base);
        }
        String path = ref.path().getPath();
        if (path == null || path.isEmpty()) {
            return Optional.of(base);
        }
        return Optional.of(URI.create(base + (path.startsWith("/") ? "" : "/") + path));
    }
}
