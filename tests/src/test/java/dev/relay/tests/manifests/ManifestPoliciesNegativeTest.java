package dev.relay.tests.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.relay.tests.manifests.Manifests.Manifest;

/**
 * Proves each {@link ManifestPolicies} check can fail: every case copies the real documents of {@code knative/},
 * breaks one of them in one place and expects a violation that names it.
 */
class ManifestPoliciesNegativeTest {

    static List<Manifest> knative;

    @BeforeAll
    static void load() {
        knative = Manifests.parseAll(List.of(Manifests.repoRoot().resolve("knative")));
        // the originals satisfy every policy, so each violation below comes from the one change each test makes
        assertThat(ManifestPolicies.rbac(knative)).isEmpty();
        assertThat(ManifestPolicies.apiTokens(knative)).isEmpty();
        assertThat(KnativeManifestSchemaTest.withoutPendingWebhookSecretsRemovalIn(
                Manifests.repoRoot().resolve("knative"), ManifestPolicies.noSecrets(knative))).isEmpty();
        assertThat(KnativeManifestSchemaTest.withoutPendingWebhookSecretsRemovalIn(
                Manifests.repoRoot().resolve("knative"), ManifestPolicies.optionalSecrets(knative))).isEmpty();
        assertThat(ManifestPolicies.secretMounts(knative)).isEmpty();
        assertThat(ManifestPolicies.publicRoutes(knative)).isEmpty();
        assertThat(ManifestPolicies.sinkBindings(knative)).isEmpty();
        assertThat(ManifestPolicies.jobEventSources(knative)).isEmpty();
    }

    /** A deep copy of all documents, with {@code change} applied to the one of {@code kind} named {@code name}. */
    static List<Manifest> with(String kind, String name, Consumer<Map<String, Object>> change) {
        List<Manifest> out = new ArrayList<>();
        boolean found = false;
        for (Manifest m : knative) {
            Map<String, Object> content = Manifests.deepCopy(m.content());
            if (m.kind().equals(kind) && m.name().equals(name)) {
                change.accept(content);
                found = true;
            }
            out.add(new Manifest(m.file(), m.index(), content));
        }
        assertThat(found).as(kind + "/" + name + " exists").isTrue();
        return out;
    }

    static List<Manifest> plus(Map<String, Object> doc) {
        List<Manifest> out = new ArrayList<>(knative);
        out.add(new Manifest(knative.get(0).file(), 99, doc));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... keys) {
        Object cur = node;
        for (String k : keys) {
            cur = ((Map<String, Object>) cur).get(k);
        }
        return (Map<String, Object>) cur;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> node, String key) {
        return (List<Map<String, Object>>) node.get(key);
    }

    static void violates(Function<List<Manifest>, List<String>> policy, List<Manifest> docs, String... fragments) {
        assertThat(policy.apply(docs)).anySatisfy(v -> assertThat(v).contains(fragments));
    }

    // --- RBAC -----------------------------------------------------------------------------------------------

    @Test
    void aRoleThatMayListOrDeleteFails() {
        violates(ManifestPolicies::rbac, with("Role", "on-push-build",
                r -> list(r, "rules").get(0).put("verbs", List.of("create", "get", "list"))), "verb 'list'");
        violates(ManifestPolicies::rbac, with("Role", "on-push-build",
                r -> list(r, "rules").get(1).put("verbs", List.of("create", "get", "delete"))), "verb 'delete'");
    }

    @Test
    void aRoleThatReadsSecretsFails() {
        violates(ManifestPolicies::rbac, with("Role", "on-push-build", r -> {
            List<Map<String, Object>> rules = new ArrayList<>(list(r, "rules"));
            rules.add(Map.of("apiGroups", List.of(""), "resources", List.of("secrets"), "verbs", List.of("get")));
            r.put("rules", rules);
        }), "resource 'secrets'");
    }

    @Test
    void aRoleMissingAGrantOrWithAWildcardFails() {
        violates(ManifestPolicies::rbac, with("Role", "on-push-build",
                r -> r.put("rules", List.of(list(r, "rules").get(0)))), "Role/on-push-build", "exactly");
        violates(ManifestPolicies::rbac, with("Role", "on-push-build",
                r -> list(r, "rules").get(0).put("apiGroups", List.of("*"))), "apiGroup '*'");
    }

    @Test
    void clusterWideRbacOrAnUnknownRoleFails() {
        violates(ManifestPolicies::rbac, plus(Map.of("apiVersion", "rbac.authorization.k8s.io/v1",
                "kind", "ClusterRole", "metadata", Map.of("name", "relay-admin"), "rules", List.of())),
                "ClusterRole/relay-admin");
        violates(ManifestPolicies::rbac, plus(Map.of("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "Role",
                "metadata", Map.of("name", "extra", "namespace", "relay"), "rules", List.of())), "Role/extra");
    }

    @Test
    void aRoleBindingToAClusterRoleOrAForeignSubjectFails() {
        violates(ManifestPolicies::rbac, with("RoleBinding", "on-push-build",
                b -> map(b, "roleRef").put("kind", "ClusterRole")), "roleRef");
        violates(ManifestPolicies::rbac, with("RoleBinding", "on-push-build",
                b -> list(b, "subjects").get(0).put("namespace", "default")), "subject");
    }

    // --- API tokens -----------------------------------------------------------------------------------------

    @Test
    void aTokenWithoutARoleFails() {
        violates(ManifestPolicies::apiTokens, with("ServiceAccount", "relay-builder",
                sa -> sa.remove("automountServiceAccountToken")), "ServiceAccount/relay-builder");
        violates(ManifestPolicies::apiTokens, with("Service", "webhook-ingress",
                s -> map(s, "spec", "template", "spec").put("automountServiceAccountToken", true)),
                "Service/webhook-ingress");
    }

    @Test
    void switchingOffTheTokenOfABoundServiceAccountFails() {
        violates(ManifestPolicies::apiTokens, with("Service", "on-push-build",
                s -> map(s, "spec", "template", "spec").put("automountServiceAccountToken", false)),
                "Service/on-push-build");
    }

    // --- Secrets --------------------------------------------------------------------------------------------

    static Map<String, Object> secret(String name, Map<String, Object> stringData) {
        return Map.of("apiVersion", "v1", "kind", "Secret", "metadata", Map.of("name", name, "namespace", "relay"),
                "type", "Opaque", "stringData", stringData);
    }

    @Test
    void aSecretInTheBaseFailsAndAPlaceholderValueIsNamed() {
        violates(ManifestPolicies::noSecrets, plus(secret("relay-git-credentials", Map.of("token", "REPLACE_ME"))),
                "Secret/relay-git-credentials", "placeholder value 'REPLACE_ME'");
        violates(ManifestPolicies::noSecrets, plus(secret("relay-git-credentials", Map.of("token", "changeme"))),
                "placeholder value 'changeme'");
        violates(ManifestPolicies::noSecrets, plus(secret("relay-git-credentials", Map.of("token", ""))),
                "placeholder value ''");
        // a real-looking value is no better: a re-apply overwrites the Secret created out of band
        violates(ManifestPolicies::noSecrets, plus(secret("relay-git-credentials", Map.of("token", "ghp_5e3f9a"))),
                "Secret/relay-git-credentials", "must not install a Secret");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMandatorySecretMountOrSecretKeyRefFails() {
        violates(ManifestPolicies::optionalSecrets, with("Service", "on-sync-verify", s -> {
            for (Map<String, Object> v : list(map(s, "spec", "template", "spec"), "volumes")) {
                if (v.get("secret") instanceof Map<?, ?> secret) {
                    ((Map<String, Object>) secret).remove("optional");
                }
            }
        }), "Service/on-sync-verify volume git-credentials", "optional: true");
        violates(ManifestPolicies::optionalSecrets, with("Service", "on-scan-pass-bump", s -> {
            Map<String, Object> c = ((List<Map<String, Object>>) map(s, "spec", "template", "spec").get("containers")).get(0);
            List<Map<String, Object>> env = new ArrayList<>((List<Map<String, Object>>) c.get("env"));
            env.add(Map.of("name", "GIT_TOKEN", "valueFrom",
                    Map.of("secretKeyRef", Map.of("name", "relay-git-credentials", "key", "token"))));
            c.put("env", env);
        }), "env GIT_TOKEN", "optional: true");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSecretVolumeWithoutADocumentedLayoutFails() {
        violates(ManifestPolicies::secretMounts, with("Service", "on-sync-verify", s -> {
            for (Map<String, Object> v : list(map(s, "spec", "template", "spec"), "volumes")) {
                if (v.get("secret") instanceof Map<?, ?> secret) {
                    ((Map<String, Object>) secret).put("secretName", "relay-other");
                }
            }
        }), "relay-other", "no documented layout");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aWritableSecretMountOrASecretFileThatIsNoKeyFails() {
        violates(ManifestPolicies::secretMounts, with("Service", "webhook-ingress", s -> {
            Map<String, Object> c = ((List<Map<String, Object>>) map(s, "spec", "template", "spec").get("containers")).get(0);
            ((List<Map<String, Object>>) c.get("volumeMounts")).get(0).remove("readOnly");
        }), "readOnly");
        violates(ManifestPolicies::secretMounts, with("Service", "webhook-ingress", s -> {
            Map<String, Object> c = ((List<Map<String, Object>>) map(s, "spec", "template", "spec").get("containers")).get(0);
            ((List<Map<String, Object>>) c.get("env")).get(0).put("value", "/var/run/secrets/relay/webhooks/github-token");
        }), "github-token");
    }

    // --- routes and bindings --------------------------------------------------------------------------------

    @Test
    void aPublicFunctionOtherThanWebhookIngressOrAPrivateWebhookIngressFails() {
        violates(ManifestPolicies::publicRoutes, with("Service", "on-push-build",
                s -> map(s, "metadata", "labels").remove(ManifestPolicies.VISIBILITY)), "Service/on-push-build");
        violates(ManifestPolicies::publicRoutes, with("Service", "webhook-ingress",
                s -> map(s, "metadata", "labels").put(ManifestPolicies.VISIBILITY, "cluster-local")),
                "Service/webhook-ingress");
    }

    @Test
    void aSinkBindingToSomethingElseFails() {
        violates(ManifestPolicies::sinkBindings, with("SinkBinding", "webhook-ingress",
                b -> map(b, "spec", "subject").put("name", "webhook-ingres")), "subject");
        violates(ManifestPolicies::sinkBindings, with("SinkBinding", "webhook-ingress",
                b -> map(b, "spec", "subject").put("apiVersion", "apps/v1")), "subject");
        violates(ManifestPolicies::sinkBindings, with("SinkBinding", "webhook-ingress",
                b -> map(b, "spec", "sink", "ref").put("kind", "Channel")), "sink.ref");
        violates(ManifestPolicies::sinkBindings, with("Namespace", "relay",
                n -> map(n, "metadata", "labels").remove(ManifestPolicies.SINK_BINDING_INCLUDE)), "Namespace/relay");
    }

    @Test
    @SuppressWarnings("unchecked")
    void anApiServerSourceThatIsNotLeastPrivilegeOrDoesNotReachTheBrokerFails() {
        String name = ManifestPolicies.JOB_EVENTS;
        violates(ManifestPolicies::jobEventSources, with("ApiServerSource", name,
                s -> map(s, "spec").put("mode", "Reference")), "mode must be Resource");
        violates(ManifestPolicies::jobEventSources, with("ApiServerSource", name,
                s -> map(s, "spec", "sink", "ref").put("name", "default")), "sink.ref");
        violates(ManifestPolicies::jobEventSources, with("ApiServerSource", name,
                s -> list(map(s, "spec"), "resources").get(0).remove("selector")), "batch/v1 Job must select");
        violates(ManifestPolicies::jobEventSources, with("ApiServerSource", name, s -> list(map(s, "spec"),
                "resources").add(Map.of("apiVersion", "v1", "kind", "Pod", "selector",
                        Map.of("matchLabels", Map.of(ManifestPolicies.COMPLETION_LABEL, "true"))))),
                "must be bound to exactly the Role");
        violates(ManifestPolicies::jobEventSources, with("ApiServerSource", name,
                s -> map(s, "spec").put("serviceAccountName", "on-push-build")), "ServiceAccount on-push-build");
        violates(ManifestPolicies::rbac, with("Role", name,
                r -> list(r, "rules").get(0).put("verbs", List.of("get", "list", "watch", "delete"))), "verb 'delete'");
        violates(ManifestPolicies::rbac, with("Role", name,
                r -> list(r, "rules").get(0).put("resources", List.of("jobs", "pods"))), "grants");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBoundServiceSettingKSinkItselfFails() {
        violates(ManifestPolicies::sinkBindings, with("Service", "webhook-ingress", s -> {
            Map<String, Object> c = ((List<Map<String, Object>>) map(s, "spec", "template", "spec").get("containers")).get(0);
            List<Map<String, Object>> env = new ArrayList<>((List<Map<String, Object>>) c.get("env"));
            env.add(Map.of("name", "K_SINK", "value", "http://example.com"));
            c.put("env", env);
        }), "K_SINK");
    }
}
