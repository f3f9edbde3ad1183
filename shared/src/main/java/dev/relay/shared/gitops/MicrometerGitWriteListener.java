package dev.relay.shared.gitops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * {@code relay_git_push_retries_total} and {@code relay_git_push_exhausted_total}, labelled only by the function
 * process ({@code function}); never by repository URL, branch or commit, to keep cardinality low.
 */
public final class MicrometerGitWriteListener implements GitWriteListener {

    private final Counter retries;
    private final Counter exhausted;

    public MicrometerGitWriteListener(MeterRegistry registry, String function) {
        Objects.requireNonNull(registry, "registry");
        String fn = function == null || function.isBlank() ? "unknown" : function;
        this.retries = Counter.builder("relay.git.push.retries")
                .description("Rejected Git pushes that are retried on the new head")
                .tag("function", fn)
                .register(registry);
        this.exhausted = Counter.builder("relay.git.push.exhausted")
                .description("Git writes whose push was still rejected after the maximum number of attempts")
                .tag("function", fn)
                .register(registry);
    }

    @Override
    public void pushRejected(ConfigRepository repo) {
        retries.increment();
    }

    @Override
    public void pushAttemptsExhausted(ConfigRepository repo) {
        exhausted.increment();
    }
}
