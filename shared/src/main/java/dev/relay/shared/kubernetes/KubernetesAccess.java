package dev.relay.shared.kubernetes;

import dev.relay.shared.http.EventRetryableException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A function's Kubernetes client, created on first use (no API call, no watch at start-up, so a cold start stays fast
 * and a process without a cluster starts at all). A {@code KubernetesClient} bean is used when the process has one;
 * otherwise a client is built from the environment (in-cluster service account, kubeconfig), and when neither exists
 * the event answers 503 naming what is missing and the configuration that needs no cluster ({@code withoutCluster},
 * e.g. {@code "use build.builder: local"}).
 *
 * <p>Needs {@code io.fabric8:kubernetes-client} on the class path (an optional dependency of {@code relay-shared}).
 */
public final class KubernetesAccess implements AutoCloseable {

    public static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private final Supplier<KubernetesClient> provided;
    private final String withoutCluster;
    private final Map<String, String> environment;
    private final Path namespaceFile;
    private final Path defaultKubeconfig;
    private KubernetesClient own;

    /**
     * @param provided       the process's client bean, or {@code null} from the supplier when there is none
     * @param withoutCluster what to configure instead of a cluster, ending the 503's detail
     */
    public KubernetesAccess(Supplier<KubernetesClient> provided, String withoutCluster) {
        this(provided, withoutCluster, System.getenv(), SERVICE_ACCOUNT_NAMESPACE,
                Path.of(System.getProperty("user.home", "/"), ".kube", "config"));
    }

    /** For tests: the environment, the service-account namespace file and the default kubeconfig are given. */
    public KubernetesAccess(Supplier<KubernetesClient> provided, String withoutCluster, Map<String, String> environment,
            Path namespaceFile, Path defaultKubeconfig) {
        this.provided = provided;
        this.withoutCluster = withoutCluster;
        this.environment = environment;
        this.namespaceFile = namespaceFile;
        this.defaultKubeconfig = defaultKubeconfig;
    }

    public synchronized KubernetesClient client() {
        KubernetesClient client = provided.get();
        if (client != null) {
            return client;
        }
        if (own == null) {
            if (!configured()) {
                throw EventRetryableException.unavailable("no-kubernetes-api", "No Kubernetes API",
                        "no Kubernetes API: set KUBERNETES_SERVICE_HOST or kubeconfig, or " + withoutCluster, null);
            }
            own = new KubernetesClientBuilder().build();
        }
        return own;
    }

    /** In a pod (KUBERNETES_SERVICE_HOST), a master URL or a kubeconfig file: somewhere to send requests. */
    public boolean configured() {
        if (has("KUBERNETES_SERVICE_HOST") || has("KUBERNETES_MASTER")) {
            return true;
        }
        String kubeconfig = environment.get("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            return Arrays.stream(kubeconfig.split(java.io.File.pathSeparator)).anyMatch(p -> Files.isRegularFile(Path.of(p)));
        }
        return Files.isRegularFile(defaultKubeconfig);
    }

    /** The configured namespace, else the pod's own (service account mount), else "default". */
    public String namespace(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        try {
            if (Files.isRegularFile(namespaceFile)) {
                String namespace = Files.readString(namespaceFile, StandardCharsets.UTF_8).trim();
                if (!namespace.isEmpty()) {
                    return namespace;
                }
            }
        } catch (IOException e) {
            // fall through to the default namespace
        }
        return "default";
    }

    private boolean has(String name) {
        String value = environment.get(name);
        return value != null && !value.isBlank();
    }

    @Override
    public synchronized void close() {
        if (own != null) {
            own.close();
            own = null;
        }
    }
}
