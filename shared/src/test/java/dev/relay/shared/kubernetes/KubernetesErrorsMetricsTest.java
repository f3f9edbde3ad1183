package dev.relay.shared.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KubernetesErrorsMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void join() {
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void leave() {
        Metrics.removeRegistry(registry);
        registry.close();
    }

    @Test
    void shouldCountTranslatedFailuresByFunctionAndStatus() {
        KubernetesErrors.translate(new KubernetesClientException("forbidden", 403, null), "fn-a", "create",
                "jobs.batch", "relay");
        KubernetesErrors.translate(new KubernetesClientException("forbidden", 403, null), "fn-a", "create",
                "jobs.batch", "relay");
        KubernetesErrors.translate(new KubernetesClientException("timeout"), "fn-a", "get", "pods", "relay");

        assertThat(registry.get("relay.kubernetes.api.errors").tags("function", "fn-a", "status", "403").counter()
                .count()).isEqualTo(2.0);
        assertThat(registry.get("relay.kubernetes.api.errors").tags("function", "fn-a", "status", "none").counter()
                .count()).isEqualTo(1.0);
    }

    @Test
    void shouldNotCountTheChecks() {
        KubernetesClientException conflict = new KubernetesClientException("exists", 409, null);
        assertThat(KubernetesErrors.isAlreadyExists(conflict)).isTrue();
        assertThat(KubernetesErrors.isNotFound(new KubernetesClientException("gone", 404, null))).isTrue();

        // the global composite replays meters registered by other tests into a new registry, at 0
        assertThat(registry.find("relay.kubernetes.api.errors").counters())
                .allSatisfy(c -> assertThat(c.count()).isZero());
    }
}
