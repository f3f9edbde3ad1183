package dev.relay.tests.manifests;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Strict validation of Kubernetes core kinds against fabric8's model classes (8.0.0, Jackson 3).
 *
 * <p>fabric8's model classes carry a {@code @JsonAnySetter} that collects unknown fields into
 * {@code additionalProperties}, so {@code FAIL_ON_UNKNOWN_PROPERTIES} alone never fails. After deserializing with that
 * feature on (which still catches wrong types), the object graph is walked and any non-empty
 * {@code additionalProperties} map is reported as unknown fields, with its path.
 */
final class StrictKubernetesModel {

    private static final Map<String, Class<?>> KINDS = Map.ofEntries(
            Map.entry("v1 Namespace", Namespace.class),
            Map.entry("v1 ServiceAccount", ServiceAccount.class),
            Map.entry("v1 ConfigMap", ConfigMap.class),
            Map.entry("v1 Secret", Secret.class),
            Map.entry("v1 Service", Service.class),
            Map.entry("v1 PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("v1 LimitRange", LimitRange.class),
            Map.entry("v1 ResourceQuota", ResourceQuota.class),
            Map.entry("apps/v1 Deployment", Deployment.class),
            Map.entry("apps/v1 StatefulSet", StatefulSet.class),
            Map.entry("networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class),
            Map.entry("rbac.authorization.k8s.io/v1 Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1 RoleBinding", RoleBinding.class),
            Map.entry("rbac.authorization.k8s.io/v1 ClusterRole", ClusterRole.class),
            Map.entry("rbac.authorization.k8s.io/v1 ClusterRoleBinding", ClusterRoleBinding.class));

    /** RevisionSpec fields Knative adds to the Kubernetes PodSpec. */
    static final List<String> KNATIVE_REVISION_FIELDS =
            List.of("containerConcurrency", "timeoutSeconds", "idleTimeoutSeconds", "responseStartTimeoutSeconds");

    private final JsonMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    boolean knows(String apiVersion, String kind) {
        return KINDS.containsKey(apiVersion + " " + kind);
    }

    /** Violations of a whole core-kind document; empty when valid. */
    List<String> validate(String apiVersion, String kind, Map<String, Object> document) {
        Class<?> type = KINDS.get(apiVersion + " " + kind);
        if (type == null) {
            return List.of("no strict model for " + apiVersion + " " + kind
                    + " (add its fabric8 class to StrictKubernetesModel)");
        }
        return check(document, type, "$");
    }

    List<String> validateObjectMeta(Object metadata) {
        return check(metadata, ObjectMeta.class, "$.metadata");
    }

    /** The revision template spec of a Knative Service, minus Knative's own RevisionSpec fields, as a PodSpec. */
    @SuppressWarnings("unchecked")
    List<String> validateRevisionPodSpec(Object revisionSpec, String path) {
        if (!(revisionSpec instanceof Map<?, ?> m)) {
            return List.of(path + ": not an object");
        }
        Map<String, Object> podSpec = Manifests.deepCopy((Map<String, Object>) m);
        KNATIVE_REVISION_FIELDS.forEach(podSpec::remove);
        return check(podSpec, PodSpec.class, path);
    }

    private List<String> check(Object value, Class<?> type, String path) {
        Object model;
        try {
            model = mapper.convertValue(value, type);
        } catch (JacksonException | IllegalArgumentException e) {
            return List.of("fabric8 " + type.getSimpleName() + " " + path + ": " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        walk(model, path, out, 0);
        return out.stream().map(s -> "fabric8 " + type.getSimpleName() + " " + s).toList();
    }

    private static void walk(Object o, String path, List<String> out, int depth) {
        if (o == null || depth > 64) {
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, out, depth + 1));
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object v : c) {
                walk(v, path + "[" + i++ + "]", out, depth + 1);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(o);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue;
                }
                if ("additionalProperties".equals(f.getName())) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        out.add(path + ": unknown field(s) " + extra.keySet());
                    }
                    continue;
                }
                walk(v, path + "." + f.getName(), out, depth + 1);
            }
        }
    }
}
