package dev.relay.local.broker;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Turns a Knative {@link Destination} into the address the broker posts to. A ref to a Knative Service that this
 * process hosts resolves to {@code http://127.0.0.1:<port>/<name>}; a {@code uri} is used as is; anything else
 * (a ref to something not hosted here) does not resolve. A ref to a Knative Service served elsewhere (another
 * process, as in a cluster) resolves to the base URL given for its name in {@code services}.
 */
public final class SubscriberResolver {

    private final HostedFunctions hostedFunctions;
    private final IntSupplier localPort;
    private final Map<String, URI> services;

    /**
     * @param localPort the local server port, or a value {@code <= 0} while it is not known yet
     */
    public SubscriberResolver(HostedFunctions hostedFunctions, IntSupplier localPort) {
        this(hostedFunctions, localPort, Map.of());
    }

    /** @param services base URL of each Knative Service, by name, that is served by another process */
    public SubscriberResolver(HostedFunctions hostedFunctions, IntSupplier localPort, Map<String, URI> services) {
        this.hostedFunctions = hostedFunctions;
        this.localPort = localPort;
        this.services = Map.copyOf(services);
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
            return ref.isKnativeService() && (services.containsKey(ref.name()) || hostedFunctions.hosts(ref.name()));
        }
        return true;
    }

    private Optional<URI> resolveRef(Destination.Ref ref) {
        if (ref.isKnativeService() && services.containsKey(ref.name())) {
            return Optional.of(withPath(services.get(ref.name()), ref));
        }
        if (!ref.isKnativeService() || !hostedFunctions.hosts(ref.name())) {
            return Optional.empty();
        }
        int port = localPort.getAsInt();
        if (port <= 0) {
            throw new IllegalStateException("the local server port is not known yet; cannot deliver to " + ref);
        }
        return Optional.of(withPath(URI.create("http://127.0.0.1:" + port + "/" + ref.name()), ref));
    }

    private static URI withPath(URI base, Destination.Ref ref) {
        if (ref.path() == null) {
            return base;
        }
        String path = ref.path().getPath();
        if (path == null || path.isEmpty()) {
            return base;
        }
        return URI.create(base + (path.startsWith("/") ? "" : "/") + path);
    }
}
