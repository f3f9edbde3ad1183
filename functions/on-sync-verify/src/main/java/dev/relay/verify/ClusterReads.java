package dev.relay.verify;

import dev.relay.shared.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;

/**
 * The read-only Kubernetes calls of on-sync-verify, a thin gateway: get a Deployment, list its pods by its selector,
 * get an Argo CD Application. A missing object is {@code Optional.empty()}; API failures become problems naming the
 * RBAC verb and resource (the Role in knative/on-sync-verify/role.yaml, bound in each namespace read).
 */
public final class ClusterReads {

    static final String FUNCTION = "on-sync-verify";

    private final KubernetesClient client;

    public ClusterReads(KubernetesClient client) {
        this.client = client;
    }

    public Optional<Deployment> deployment(String namespace, String name) {
        try {
            return Optional.ofNullable(client.apps().deployments().inNamespace(namespace).withName(name).get());
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, FUNCTION, "get", "deployments.apps", namespace);
        }
    }

    public List<Pod> pods(String namespace, LabelSelector selector) {
        try {
            return client.pods().inNamespace(namespace).withLabelSelector(selector).list().getItems();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, FUNCTION, "list", "pods", namespace);
        }
    }

    public Optional<GenericKubernetesResource> application(String namespace, String name) {
        try {
            return Optional.ofNullable(client.genericKubernetesResources(ArgoApplication.APPLICATIONS)
                    .inNamespace(namespace).withName(name).get());
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, FUNCTION, "get", "applications.argoproj.io", namespace,
                    "is Argo CD installed, and is verify.argocd.namespace where it keeps Applications?");
        }
    }
}
