package dev.relay.tests.manifests;

import static dev.relay.tests.manifests.ManifestValidator.path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.relay.tests.manifests.Manifests.Manifest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relay's deployment policies for RBAC, API tokens, Secrets, public routes and SinkBindings, each as a function from
 * the parsed documents of {@code knative/} to a list of violations (empty when the policy holds), so
 * {@link KnativeManifestSchemaTest} asserts them on the repository and {@link ManifestPoliciesNegativeTest} proves
 * each one can fail.
 */
final class ManifestPolicies {

    static final String NAMESPACE = KnativeManifestSchemaTest.NAMESPACE;
    static final String KSVC = KnativeManifestSchemaTest.KSVC;
    static final String RBAC = "rbac.authorization.k8s.io/v1";
    static final String RBAC_GROUP = "rbac.authorization.k8s.io";
    static final String TEMPLATE_VALUE = "REPLACE_ME";
    static final String VISIBILITY = "networking.knative.dev/visibility";
    static final String SINK_BINDING_INCLUDE = "bindings.knative.dev/include";

    /** The ApiServerSource of build and scan completions, its ServiceAccount, Role and RoleBinding. */
    static final String JOB_EVENTS = "relay-job-events";
    static final String COMPLETION_LABEL = "relay.dev/completion-events";

    /** Knative Services that may have a public route; every other one must be cluster-local. */
    static final Set<String> PUBLIC_SERVICES = Set.of("webhook-ingress");

    /** The only RBAC Relay grants: Role name → "apiGroup/resource" → verbs. */
    static final Map<String, Map<String, Set<String>>> ALLOWED_ROLES = Map.of(
            "on-push-build", Map.of(
                    "batch/jobs", Set.of("create", "get"),
                    "tekton.dev/pipelineruns", Set.of("create", "get"),
                    "/pods", Set.of("list"),
                    "/pods/log", Set.of("get")),
            // the ApiServerSource's watch of the build and scan objects (knative/job-events/)
            JOB_EVENTS, Map.of(
                    "batch/jobs", Set.of("get", "list", "watch"),
                    "tekton.dev/pipelineruns", Set.of("get", "list", "watch")),
            "on-image-scan", Map.of(
                    "batch/jobs", Set.of("create", "get"),
                    "/pods", Set.of("list"),
                    "/pods/log", Set.of("get")),
            // read-only; bound in relay and, with kubectl -n, in each application namespace (role.yaml)
            "on-sync-verify", Map.of(
                    "apps/deployments", Set.of("get"),
                    "/pods", Set.of("list")),
            // read-only; bound in Argo CD's namespace (argocd-role.yaml)
            "on-sync-verify-argocd", Map.of(
                    "argoproj.io/applications", Set.of("get")));

    /**
     * The only exceptions to {@link #FORBIDDEN_VERBS}: Role name → "apiGroup/resource" → verbs. on-image-scan and
     * on-push-build find the pod of their finished Job by the {@code job-name} label (pod names are generated), which
     * needs {@code list} on pods; on-sync-verify finds the ready pods of a Deployment by the Deployment's selector, the
     * same way; the ApiServerSource {@value #JOB_EVENTS} lists and watches the build and scan objects (Knative requires
     * get, list and watch on what it watches).
     */
    static final Map<String, Map<String, Set<String>>> ALLOWED_FORBIDDEN_VERBS = Map.of(
            "on-push-build", Map.of("/pods", Set.of("list")),
            JOB_EVENTS, Map.of("batch/jobs", Set.of("list", "watch"), "tekton.dev/pipelineruns", Set.of("list", "watch")),
            "on-image-scan", Map.of("/pods", Set.of("list")),
            "on-sync-verify", Map.of("/pods", Set.of("list")));

    /** Verbs and resources no Role here may name, whatever the allow-list above says (but see ALLOWED_FORBIDDEN_VERBS). */
    static final Set<String> FORBIDDEN_VERBS =
            Set.of("*", "list", "watch", "delete", "deletecollection", "update", "patch", "escalate", "bind", "impersonate");
    static final Set<String> FORBIDDEN_RESOURCES =
            Set.of("*", "secrets", "pods/exec", "pods/attach", "serviceaccounts/token", "roles", "rolebindings");

    /** Secrets and the keys their templates must hold. */
    static final Map<String, Set<String>> SECRET_KEYS = Map.of(
            "relay-git-credentials", Set.of("token", "username", "ssh-privatekey", "known_hosts"),
            "relay-webhook-secrets", Set.of("github", "gitlab", "gitea"),
            "relay-registry-credentials", Set.of(".dockerconfigjson"));

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ManifestPolicies() {
    }

    static List<Manifest> ofKind(List<Manifest> docs, String apiVersion, String kind) {
        return KnativeManifestSchemaTest.ofKind(docs, apiVersion, kind);
    }

    static Set<String> names(List<Manifest> docs) {
        return KnativeManifestSchemaTest.names(docs);
    }

    // --- RBAC -----------------------------------------------------------------------------------------------

    /**
     * No cluster-wide RBAC; every Role is on the allow-list with exactly its rules (no wildcard, no forbidden verb or
     * resource, no resourceNames or nonResourceURLs); every RoleBinding binds a Role here to ServiceAccounts here.
     */
    static List<String> rbac(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        for (String kind : List.of("ClusterRole", "ClusterRoleBinding")) {
            for (Manifest m : ofKind(docs, RBAC, kind)) {
                out.add(kind + "/" + m.name() + ": no cluster-wide RBAC; use a Role in namespace " + NAMESPACE);
            }
        }
        List<Manifest> roles = ofKind(docs, RBAC, "Role");
        for (Manifest role : roles) {
            String label = "Role/" + role.name();
            Map<String, Set<String>> allowed = ALLOWED_ROLES.get(role.name());
            if (allowed == null) {
                out.add(label + ": not in ManifestPolicies.ALLOWED_ROLES (add it there with its exact rules)");
                continue;
            }
            Map<String, Set<String>> granted = new LinkedHashMap<>();
            List<Map<?, ?>> rules = KnativeManifestSchemaTest.listOfMaps(role.content().get("rules"));
            for (int i = 0; i < rules.size(); i++) {
                Map<?, ?> rule = rules.get(i);
                String at = label + " rules[" + i + "]";
                if (rule.get("resourceNames") != null || rule.get("nonResourceURLs") != null) {
                    out.add(at + ": resourceNames/nonResourceURLs are not used by Relay");
                }
                List<String> verbs = KnativeManifestSchemaTest.listOfStrings(rule.get("verbs"));
                Map<String, Set<String>> exceptions = ALLOWED_FORBIDDEN_VERBS.getOrDefault(role.name(), Map.of());
                for (String verb : verbs) {
                    boolean excepted = !KnativeManifestSchemaTest.listOfStrings(rule.get("apiGroups")).isEmpty()
                            && !KnativeManifestSchemaTest.listOfStrings(rule.get("resources")).isEmpty()
                            && KnativeManifestSchemaTest.listOfStrings(rule.get("apiGroups")).stream().allMatch(group ->
                                    KnativeManifestSchemaTest.listOfStrings(rule.get("resources")).stream().allMatch(
                                            resource -> exceptions.getOrDefault(group + "/" + resource, Set.of())
                                                    .contains(verb)));
                    if (FORBIDDEN_VERBS.contains(verb) && !excepted) {
                        out.add(at + ": verb '" + verb + "' is forbidden");
                    }
                }
                for (String group : KnativeManifestSchemaTest.listOfStrings(rule.get("apiGroups"))) {
                    if (group.equals("*")) {
                        out.add(at + ": apiGroup '*' is forbidden");
                    }
                    for (String resource : KnativeManifestSchemaTest.listOfStrings(rule.get("resources"))) {
                        if (FORBIDDEN_RESOURCES.contains(resource)) {
                            out.add(at + ": resource '" + resource + "' is forbidden");
                        }
                        granted.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(verbs);
                    }
                }
            }
            if (!granted.equals(allowed)) {
                out.add(label + ": grants " + new java.util.TreeMap<>(granted) + " but exactly "
                        + new java.util.TreeMap<>(allowed) + " is allowed");
            }
        }
        for (String name : ALLOWED_ROLES.keySet()) {
            if (!names(roles).contains(name)) {
                out.add("Role/" + name + " is missing");
            }
        }
        Set<String> roleNames = names(roles);
        Set<String> serviceAccounts = names(ofKind(docs, "v1", "ServiceAccount"));
        for (Manifest binding : ofKind(docs, RBAC, "RoleBinding")) {
            String label = "RoleBinding/" + binding.name();
            Map<?, ?> roleRef = (Map<?, ?>) binding.content().get("roleRef");
            if (roleRef == null || !"Role".equals(roleRef.get("kind")) || !RBAC_GROUP.equals(roleRef.get("apiGroup"))
                    || !roleNames.contains(String.valueOf(roleRef.get("name")))) {
                out.add(label + ": roleRef must be a Role in knative/ (" + roleRef + ")");
            }
            List<Map<?, ?>> subjects = KnativeManifestSchemaTest.listOfMaps(binding.content().get("subjects"));
            if (subjects.isEmpty()) {
                out.add(label + ": no subjects");
            }
            for (Map<?, ?> subject : subjects) {
                if (!"ServiceAccount".equals(subject.get("kind"))
                        || !serviceAccounts.contains(String.valueOf(subject.get("name")))
                        || !NAMESPACE.equals(subject.get("namespace"))) {
                    out.add(label + ": subject must be a ServiceAccount in knative/ in namespace " + NAMESPACE
                            + " (" + subject + ")");
                }
            }
        }
        return out;
    }

    /** Names of the ServiceAccounts some RoleBinding here binds. */
    static Set<String> boundServiceAccounts(List<Manifest> docs) {
        Set<String> out = new TreeSet<>();
        for (Manifest binding : ofKind(docs, RBAC, "RoleBinding")) {
            for (Map<?, ?> subject : KnativeManifestSchemaTest.listOfMaps(binding.content().get("subjects"))) {
                if ("ServiceAccount".equals(subject.get("kind"))) {
                    out.add(String.valueOf(subject.get("name")));
                }
            }
        }
        return out;
    }

    // --- completion events ------------------------------------------------------------------------------------

    /**
     * The one ApiServerSource, {@value #JOB_EVENTS}: {@code mode: Resource} (the functions need the object, not a
     * reference), every watched resource selected by {@value #COMPLETION_LABEL}, the sink the Broker here, and its own
     * ServiceAccount bound (RoleBinding here) to a Role that grants exactly get, list and watch on each watched
     * resource.
     */
    static List<String> jobEventSources(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        List<Manifest> sources = ofKind(docs, "sources.knative.dev/v1", "ApiServerSource");
        if (!names(sources).equals(Set.of(JOB_EVENTS))) {
            out.add("ApiServerSources " + names(sources) + ": exactly " + JOB_EVENTS + " is expected");
        }
        for (Manifest source : sources) {
            String label = "ApiServerSource/" + source.name();
            Map<?, ?> spec = (Map<?, ?>) source.content().get("spec");
            if (!"Resource".equals(spec.get("mode"))) {
                out.add(label + ": mode must be Resource (the functions read the object from the event)");
            }
            Map<?, ?> sink = spec.get("sink") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> ref = sink.get("ref") instanceof Map<?, ?> m ? m : Map.of();
            if (!"eventing.knative.dev/v1".equals(ref.get("apiVersion")) || !"Broker".equals(ref.get("kind"))
                    || !names(ofKind(docs, "eventing.knative.dev/v1", "Broker")).contains(String.valueOf(ref.get("name")))
                    || sink.get("uri") != null) {
                out.add(label + ": sink.ref must be a Broker in knative/ (" + sink + ")");
            }
            Map<String, Set<String>> needed = new LinkedHashMap<>();
            for (Map<?, ?> resource : KnativeManifestSchemaTest.listOfMaps(spec.get("resources"))) {
                String apiVersion = String.valueOf(resource.get("apiVersion"));
                String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                needed.put(group + "/" + String.valueOf(resource.get("kind")).toLowerCase(java.util.Locale.ROOT) + "s",
                        Set.of("get", "list", "watch"));
                Map<?, ?> selector = resource.get("selector") instanceof Map<?, ?> m ? m : Map.of();
                Map<?, ?> matchLabels = selector.get("matchLabels") instanceof Map<?, ?> m ? m : Map.of();
                if (!"true".equals(matchLabels.get(COMPLETION_LABEL)) || selector.get("matchExpressions") != null) {
                    out.add(label + ": resource " + apiVersion + " " + resource.get("kind")
                            + " must select exactly selector.matchLabels " + COMPLETION_LABEL + ": \"true\"");
                }
            }
            String account = String.valueOf(spec.get("serviceAccountName"));
            if (!names(ofKind(docs, "v1", "ServiceAccount")).contains(account)) {
                out.add(label + ": serviceAccountName " + account + " is no ServiceAccount in knative/");
            }
            Set<String> roles = new TreeSet<>();
            for (Manifest binding : ofKind(docs, RBAC, "RoleBinding")) {
                boolean bindsAccount = KnativeManifestSchemaTest.listOfMaps(binding.content().get("subjects")).stream()
                        .anyMatch(subject -> account.equals(subject.get("name")));
                if (bindsAccount) {
                    roles.add(String.valueOf(((Map<?, ?>) binding.content().get("roleRef")).get("name")));
                }
            }
            if (!roles.equals(Set.of(account)) || !needed.equals(ALLOWED_ROLES.get(account))) {
                out.add(label + ": its ServiceAccount " + account + " must be bound to exactly the Role " + account
                        + ", which grants exactly " + new java.util.TreeMap<>(needed) + " (bound to " + roles
                        + ", allowed " + ALLOWED_ROLES.get(account) + ")");
            }
        }
        return out;
    }

    // --- API tokens -----------------------------------------------------------------------------------------

    /**
     * An API token is mounted only where a Role is bound: a ServiceAccount without a RoleBinding, and every Knative
     * Service running as one (or as {@code default}), say {@code automountServiceAccountToken: false}; a Knative
     * Service whose ServiceAccount is bound does not switch the token off (it would fail at its first API call).
     */
    static List<String> apiTokens(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        Set<String> bound = boundServiceAccounts(docs);
        for (Manifest sa : ofKind(docs, "v1", "ServiceAccount")) {
            Object automount = sa.content().get("automountServiceAccountToken");
            if (!bound.contains(sa.name()) && !Boolean.FALSE.equals(automount)) {
                out.add("ServiceAccount/" + sa.name() + ": no Role is bound, so automountServiceAccountToken must be false");
            }
            if (bound.contains(sa.name()) && Boolean.FALSE.equals(automount)) {
                out.add("ServiceAccount/" + sa.name() + ": a Role is bound, the token must be mountable");
            }
        }
        for (Manifest s : ofKind(docs, KSVC, "Service")) {
            Object sa = path(s.content(), "spec", "template", "spec", "serviceAccountName");
            Object automount = path(s.content(), "spec", "template", "spec", "automountServiceAccountToken");
            String account = sa == null ? "default" : String.valueOf(sa);
            if (!bound.contains(account) && !Boolean.FALSE.equals(automount)) {
                out.add("Service/" + s.name() + ": ServiceAccount " + account
                        + " has no Role, so automountServiceAccountToken must be false");
            }
            if (bound.contains(account) && Boolean.FALSE.equals(automount)) {
                out.add("Service/" + s.name() + ": ServiceAccount " + account
                        + " has a Role, automountServiceAccountToken must be true or omitted");
            }
        }
        return out;
    }

    // --- Secrets --------------------------------------------------------------------------------------------

    /**
     * Every Secret is a template: no {@code data}, {@code stringData} only, every value {@code REPLACE_ME} - for a
     * {@code kubernetes.io/dockerconfigjson} Secret, its {@code .dockerconfigjson} is valid JSON with a non-empty
     * {@code auths} object whose every string is {@code REPLACE_ME}. The known Secrets hold exactly their keys.
     */
    static List<String> secretTemplates(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        Map<String, Manifest> byName = new LinkedHashMap<>();
        for (Manifest s : ofKind(docs, "v1", "Secret")) {
            byName.put(s.name(), s);
            String label = "Secret/" + s.name();
            if (s.content().containsKey("data")) {
                out.add(label + ": has base64 data; templates use stringData with " + TEMPLATE_VALUE);
            }
            if (!(s.content().get("stringData") instanceof Map<?, ?> stringData) || stringData.isEmpty()) {
                out.add(label + ": stringData is missing or empty");
                continue;
            }
            String type = String.valueOf(s.content().getOrDefault("type", "Opaque"));
            if (type.equals("kubernetes.io/dockerconfigjson")) {
                if (!stringData.keySet().equals(Set.of(".dockerconfigjson"))) {
                    out.add(label + ": a dockerconfigjson Secret holds exactly the key .dockerconfigjson");
                }
                out.addAll(dockerConfigTemplate(label, stringData.get(".dockerconfigjson")));
            } else if (type.equals("Opaque")) {
                stringData.forEach((k, v) -> {
                    if (!TEMPLATE_VALUE.equals(v)) {
                        out.add(label + " stringData." + k + ": must be " + TEMPLATE_VALUE);
                    }
                });
            } else {
                out.add(label + ": type " + type + " has no template rule here");
            }
        }
        SECRET_KEYS.forEach((name, keys) -> {
            Manifest s = byName.get(name);
            if (s == null) {
                out.add("Secret/" + name + " is missing");
            } else if (s.content().get("stringData") instanceof Map<?, ?> stringData
                    && !stringData.keySet().stream().map(String::valueOf).collect(Collectors.toSet()).equals(keys)) {
                out.add("Secret/" + name + ": keys " + new TreeSet<>(stringData.keySet().stream().map(String::valueOf)
                        .toList()) + " but " + new TreeSet<>(keys) + " expected");
            }
        });
        Manifest registry = byName.get("relay-registry-credentials");
        if (registry != null && !"kubernetes.io/dockerconfigjson".equals(registry.content().get("type"))) {
            out.add("Secret/relay-registry-credentials: type must be kubernetes.io/dockerconfigjson");
        }
        return out;
    }

    private static List<String> dockerConfigTemplate(String label, Object value) {
        List<String> out = new ArrayList<>();
        if (!(value instanceof String text)) {
            return List.of(label + " .dockerconfigjson: must be a string of JSON");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            return List.of(label + " .dockerconfigjson: not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode auths = root.path("auths");
        if (!auths.isObject() || auths.isEmpty()) {
            out.add(label + " .dockerconfigjson: needs a non-empty \"auths\" object");
        }
        for (Map.Entry<String, JsonNode> registry : auths.properties()) {
            JsonNode entry = registry.getValue();
            if (!entry.isObject() || entry.isEmpty()) {
                out.add(label + " .dockerconfigjson auths." + registry.getKey() + ": needs credentials");
                continue;
            }
            if (entry.has("auth")) {
                // docker/Kaniko base64-decode "auth": a REPLACE_ME there breaks the whole file
                out.add(label + " .dockerconfigjson auths." + registry.getKey()
                        + ": use username/password placeholders, not auth");
            }
            for (Map.Entry<String, JsonNode> field : entry.properties()) {
                if (!field.getValue().isString() || !TEMPLATE_VALUE.equals(field.getValue().asString())) {
                    out.add(label + " .dockerconfigjson auths." + registry.getKey() + "." + field.getKey()
                            + ": must be \"" + TEMPLATE_VALUE + "\"");
                }
            }
        }
        return out;
    }

    /**
     * Secret volumes of Knative Services are mounted read-only, and an env value that names a file under a Secret's
     * mount path names a key that Secret holds (e.g. webhook-ingress' {@code *_SECRETFILE} variables).
     */
    static List<String> secretMounts(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        Map<String, Set<String>> secretKeys = new LinkedHashMap<>();
        for (Manifest s : ofKind(docs, "v1", "Secret")) {
            Object stringData = s.content().get("stringData");
            secretKeys.put(s.name(), stringData instanceof Map<?, ?> m
                    ? m.keySet().stream().map(String::valueOf).collect(Collectors.toSet()) : Set.of());
        }
        for (Manifest s : ofKind(docs, KSVC, "Service")) {
            Map<String, String> secretVolumes = new LinkedHashMap<>();
            for (Map<?, ?> v : KnativeManifestSchemaTest.listOfMaps(path(s.content(), "spec", "template", "spec", "volumes"))) {
                Object secret = path(v, "secret", "secretName");
                if (secret != null) {
                    secretVolumes.put(String.valueOf(v.get("name")), String.valueOf(secret));
                }
            }
            for (Map<?, ?> c : KnativeManifestSchemaTest.listOfMaps(path(s.content(), "spec", "template", "spec", "containers"))) {
                String at = "Service/" + s.name() + " container " + c.get("name");
                Map<String, String> mountToSecret = new LinkedHashMap<>();
                for (Map<?, ?> vm : KnativeManifestSchemaTest.listOfMaps(c.get("volumeMounts"))) {
                    String secret = secretVolumes.get(String.valueOf(vm.get("name")));
                    if (secret == null) {
                        continue;
                    }
                    if (!Boolean.TRUE.equals(vm.get("readOnly"))) {
                        out.add(at + ": Secret volume " + vm.get("name") + " must be mounted readOnly");
                    }
                    mountToSecret.put(String.valueOf(vm.get("mountPath")).replaceAll("/+$", "") + "/", secret);
                }
                for (Map<?, ?> env : KnativeManifestSchemaTest.listOfMaps(c.get("env"))) {
                    String value = String.valueOf(env.get("value"));
                    mountToSecret.forEach((prefix, secret) -> {
                        if (value.startsWith(prefix)) {
                            String key = value.substring(prefix.length());
                            if (!secretKeys.getOrDefault(secret, Set.of()).contains(key)) {
                                out.add(at + " env " + env.get("name") + ": " + value + " is not a key of Secret "
                                        + secret);
                            }
                        }
                    });
                }
            }
        }
        return out;
    }

    // --- routes and bindings --------------------------------------------------------------------------------

    /** Only {@link #PUBLIC_SERVICES} may have a public route; each of them must be present and public. */
    static List<String> publicRoutes(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Manifest s : ofKind(docs, KSVC, "Service")) {
            Object visibility = path(s.content(), "metadata", "labels", VISIBILITY);
            seen.add(s.name());
            if (PUBLIC_SERVICES.contains(s.name())) {
                if (visibility != null) {
                    out.add("Service/" + s.name() + ": is Relay's public edge, must not be " + visibility);
                }
            } else if (!"cluster-local".equals(visibility)) {
                out.add("Service/" + s.name() + ": must be labelled " + VISIBILITY + ": cluster-local"
                        + " (only " + PUBLIC_SERVICES + " are public)");
            }
        }
        for (String name : PUBLIC_SERVICES) {
            if (!seen.contains(name)) {
                out.add("Service/" + name + " is missing");
            }
        }
        return out;
    }

    /**
     * Every SinkBinding binds one Knative Service here, by name, to the Broker here; the subject does not set
     * {@code K_SINK} itself; and the namespace opts in to the SinkBinding webhook's inclusion mode.
     */
    static List<String> sinkBindings(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        Map<String, Manifest> services = new LinkedHashMap<>();
        ofKind(docs, KSVC, "Service").forEach(s -> services.put(s.name(), s));
        Set<String> brokers = names(ofKind(docs, "eventing.knative.dev/v1", "Broker"));
        List<Manifest> bindings = ofKind(docs, "sources.knative.dev/v1", "SinkBinding");
        for (Manifest b : bindings) {
            String label = "SinkBinding/" + b.name();
            Object subject = path(b.content(), "spec", "subject");
            if (!(subject instanceof Map<?, ?> sub) || !KSVC.equals(sub.get("apiVersion"))
                    || !"Service".equals(sub.get("kind")) || sub.get("selector") != null
                    || !services.containsKey(String.valueOf(sub.get("name")))
                    || !(sub.get("namespace") == null || NAMESPACE.equals(sub.get("namespace")))) {
                out.add(label + ": subject must name a Knative Service in knative/ (" + subject + ")");
            } else {
                Manifest target = services.get(String.valueOf(sub.get("name")));
                for (Map<?, ?> c : KnativeManifestSchemaTest.listOfMaps(
                        path(target.content(), "spec", "template", "spec", "containers"))) {
                    for (Map<?, ?> env : KnativeManifestSchemaTest.listOfMaps(c.get("env"))) {
                        if ("K_SINK".equals(env.get("name"))) {
                            out.add(label + ": Service/" + target.name() + " sets K_SINK itself; the binding injects it");
                        }
                    }
                }
            }
            Object ref = path(b.content(), "spec", "sink", "ref");
            if (!(ref instanceof Map<?, ?> r) || !"eventing.knative.dev/v1".equals(r.get("apiVersion"))
                    || !"Broker".equals(r.get("kind")) || !brokers.contains(String.valueOf(r.get("name")))
                    || !(r.get("namespace") == null || NAMESPACE.equals(r.get("namespace")))) {
                out.add(label + ": sink.ref must be the Broker in knative/ (" + ref + ")");
            }
            if (path(b.content(), "spec", "sink", "uri") != null) {
                out.add(label + ": sink.uri bypasses the Broker; use sink.ref");
            }
        }
        if (!bindings.isEmpty()) {
            for (Manifest ns : ofKind(docs, "v1", "Namespace")) {
                if (!"true".equals(path(ns.content(), "metadata", "labels", SINK_BINDING_INCLUDE))) {
                    out.add("Namespace/" + ns.name() + ": needs label " + SINK_BINDING_INCLUDE
                            + ": \"true\" for SinkBindings in inclusion mode");
                }
            }
        }
        return out;
    }
}
