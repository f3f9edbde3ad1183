package dev.relay.shared.tracing;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import org.springframework.core.env.Environment;
import zipkin2.reporter.brave.AsyncZipkinSpanHandler;

/**
 * Sends finished spans to Zipkin when {@code management.tracing.export.zipkin.endpoint} is set, deciding at the first
 * finished span rather than at start-up: no sender, HTTP client or reporter thread exists until then, and the decision
 * reads the runtime environment even in an image whose bean definitions Spring AOT fixed at build time.
 */
final class LazyZipkinSpanHandler extends SpanHandler implements AutoCloseable {

    static final String ENDPOINT = "management.tracing.export.zipkin.endpoint";
    static final String ENABLED = "management.tracing.export.zipkin.enabled";

    private final Environment environment;
    private final Object lock = new Object();
    private volatile boolean resolved;
    private volatile AsyncZipkinSpanHandler delegate;

    LazyZipkinSpanHandler(Environment environment) {
        this.environment = environment;
    }

    @Override
    public boolean end(TraceContext context, MutableSpan span, Cause cause) {
        AsyncZipkinSpanHandler target = delegate();
        return target == null || target.end(context, span, cause);
    }

    /** Whether spans leave the process (resolves the decision if no span has finished yet). */
    boolean exporting() {
        return delegate() != null;
    }

    private AsyncZipkinSpanHandler delegate() {
        if (!resolved) {
            synchronized (lock) {
                if (!resolved) {
                    String endpoint = environment.getProperty(ENDPOINT);
                    if (endpoint != null && !endpoint.isBlank()
                            && environment.getProperty(ENABLED, Boolean.class, true)) {
                        delegate = AsyncZipkinSpanHandler.create(new ZipkinHttpSender(endpoint.strip()));
                    }
                    resolved = true;
                }
            }
        }
        return delegate;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (delegate != null) {
                delegate.close();
            }
            resolved = true;
        }
    }

    @Override
    public String toString() {
        return "LazyZipkinSpanHandler";
    }
}
