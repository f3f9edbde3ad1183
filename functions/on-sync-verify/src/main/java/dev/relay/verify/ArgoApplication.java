package dev.relay.verify;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;

/**
 * An Argo CD {@code Application} judged for one synced revision: passed when {@code status.health.status} is
 * {@code Healthy}, {@code status.sync.status} is {@code Synced} and {@code status.sync.revision} is the event's
 * revision; still in progress while health is {@code Progressing} or a sync operation is {@code Running};
 * failed otherwise.
 */
public final class ArgoApplication {

    public static final String CHECK = "argocd-application";

    public static final ResourceDefinitionContext APPLICATIONS = new ResourceDefinitionContext.Builder()
            .withGroup("argoproj.io").withVersion("v1alpha1").withKind("Application").withPlural("applications")
            .withNamespaced(true).build();

    private ArgoApplication() {
    }

    public static Rollout judge(GenericKubernetesResource application, String revision, String commit) {
        String name = application.getMetadata().getNamespace() + "/" + application.getMetadata().getName();
        Object status = application.getAdditionalProperties().get("status");
        Map<?, ?> statusMap = status instanceof Map<?, ?> m ? m : Map.of();
        String health = string(path(statusMap, "health", "status"));
        String sync = string(path(statusMap, "sync", "status"));
        String synced = string(path(statusMap, "sync", "revision"));
        String phase = string(path(statusMap, "operationState", "phase"));
        String summary = "Application " + name + ": health " + health + ", sync " + sync + " at " + synced;
        boolean atRevision = sameRevision(synced, revision, commit);
        if ("Healthy".equals(health) && "Synced".equals(sync) && atRevision) {
            return new Rollout.Complete(summary);
        }
        if ("Progressing".equals(health) || "Running".equals(phase)) {
            return new Rollout.InProgress(summary + (phase.isEmpty() ? "" : ", operation " + phase));
        }
        return new Rollout.Failed(summary + (atRevision ? "" : " (expected revision " + revision + ")"));
    }

    /** The revision the Application is Synced to, when that is not the event's revision (the event is stale). */
    public static java.util.Optional<String> syncedElsewhere(GenericKubernetesResource application, String revision,
            String commit) {
        Object status = application.getAdditionalProperties().get("status");
        Map<?, ?> statusMap = status instanceof Map<?, ?> m ? m : Map.of();
        String sync = string(path(statusMap, "sync", "status"));
        String synced = string(path(statusMap, "sync", "revision"));
        return "Synced".equals(sync) && !synced.isEmpty() && !sameRevision(synced, revision, commit)
                ? java.util.Optional.of(synced) : java.util.Optional.empty();
    }

    static boolean sameRevision(String synced, String revision, String commit) {
        if (synced.isEmpty()) {
            return false;
        }
        if (synced.equals(revision)) {
            return true;
        }
        if (commit == null) {
            return false;
        }
        String s = synced.toLowerCase(java.util.Locale.ROOT);
        return commit.length() >= 40 ? s.equals(commit) || s.endsWith(commit) : s.startsWith(commit);
    }

    private static Object path(Map<?, ?> map, String... keys) {
        Object current = map;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    private static String string(Object value) {
        return value == null ? "" : value.toString();
    }
}
