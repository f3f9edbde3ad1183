package dev.relay.local;

import dev.relay.local.broker.HostedFunctions;
import java.util.function.Function;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.stereotype.Component;

/** The functions this process hosts are the {@code Function} beans in the catalog, reachable at {@code /<name>}. */
@Component
class CatalogHostedFunctions implements HostedFunctions {

    private final FunctionCatalog catalog;

    CatalogHostedFunctions(FunctionCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public boolean hosts(String name) {
        return name != null && name.matches("[a-z0-9][a-z0-9-]{0,62}") && catalog.lookup(Function.class, name) != null;
    }
}
