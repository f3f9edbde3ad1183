package dev.relay.tests.manifests;

import static dev.relay.tests.manifests.ManifestValidator.path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.relay.tests.manifests.Manifests.Manifest;

/**
 * Relay's deployment policies for RBAC, API tokens, Secrets (none in the base, mounted optionally), public routes and SinkBindings, each as a function from
 * the parsed documents of {@code knative/} to a list of violations (empty when the policy holds), so
 * {@link KnativeManifestSchemaTest} asserts them on the repository and {@link ManifestPoliciesNegativeTest} proves
 * each one can fail.
 */
final class ManifestPolicies {

    static final String NAMESPACE = KnativeManifestSchemaTest.NAMESPACE;
    static final String KSVC = KnativeManifestSchemaTest.KSVC;
    static final String RBAC = "rbac.authorization.k8s.io/v1";
    static final String RBAC_GROUP = "rbac.authorization.k8s.io";
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

    /**
     * The Secrets the Services mount, created out of band (docs/install.md), and their keys; an empty set means the
     * keys are names chosen by the operator (one file per approver).
     */
    static final Map<String, Set<String>> SECRET_KEYS = Map.of(
            "relay-git-credentials", Set.of("token", "username", "password", "ssh-privatekey", "known_hosts"),
            "relay-webhook-secrets", Set.of("github", "gitlab", "gitea", "forgejo", "harbor", "distribution",
                    "argocd", "flux", "alertmanager"),
            "relay-approvers", Set.of(),
            "relay-registry-credentials", Set.of(".dockerconfigjson"));

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
                        + " has a Role, automountServiceAccountToken must be omitted (the ServiceAccount mounts"
                        + " the token; Knative admits the field only as false)");
            }
        }
        return out;
    }

    // --- Secrets --------------------------------------------------------------------------------------------

    /**
     * The base installs no Secret: a placeholder would be applied as the real value (making e.g. an HMAC key public),
     * and every re-apply would overwrite the Secret an operator created out of band. Secrets are created with
     * {@code kubectl create secret} (docs/install.md), in the layout {@link #SECRET_KEYS} documents.
     */
    static List<String> noSecrets(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        for (Manifest s : ofKind(docs, "v1", "Secret")) {
            String placeholder = placeholderIn(s.content());
            out.add("Secret/" + s.name() + ": the base must not install a Secret"
                    + (placeholder == null ? "" : " (holds the placeholder value '" + placeholder + "')")
                    + "; create it with kubectl create secret (docs/install.md) so a re-apply never overwrites it");
        }
        return out;
    }

    /** The first placeholder-like value (REPLACE_ME, changeme, empty...) among a Secret's values, or null. */
    static String placeholderIn(Map<String, Object> secret) {
        for (String section : List.of("stringData", "data")) {
            if (secret.get(section) instanceof Map<?, ?> values) {
                for (Object v : values.values()) {
                    String value = String.valueOf(v);
                    if (value.isBlank() || PLACEHOLDER.matcher(value).find()) {
                        return value;
                    }
                }
            }
        }
        return null;
    }

    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile(
            "(?i)replace[_-]?me|change[_-]?me|<[^>]+>|todo|xxx");

    /**
     * The Services mount the Secrets that no longer come with the base optionally: a Secret volume, a
     * {@code secretKeyRef} and an {@code envFrom.secretRef} say {@code optional: true}, so a Secret not created yet
     * is a clear error of the function's first use that needs it (naming the setting and file), not a pod stuck in
     * ContainerCreating or a crash loop of the whole Service.
     */
    static List<String> optionalSecrets(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        for (Manifest s : ofKind(docs, KSVC, "Service")) {
            String label = "Service/" + s.name();
            for (Map<?, ?> v : KnativeManifestSchemaTest.listOfMaps(path(s.content(), "spec", "template", "spec", "volumes"))) {
                if (v.get("secret") instanceof Map<?, ?> secret && !Boolean.TRUE.equals(secret.get("optional"))) {
                    out.add(label + " volume " + v.get("name") + ": Secret " + secret.get("secretName")
                            + " is created out of band, mount it with optional: true");
                }
            }
            for (Map<?, ?> c : KnativeManifestSchemaTest.listOfMaps(path(s.content(), "spec", "template", "spec", "containers"))) {
                for (Map<?, ?> env : KnativeManifestSchemaTest.listOfMaps(c.get("env"))) {
                    Object ref = path(env, "valueFrom", "secretKeyRef");
                    if (ref instanceof Map<?, ?> r && !Boolean.TRUE.equals(r.get("optional"))) {
                        out.add(label + " env " + env.get("name") + ": secretKeyRef " + r.get("name")
                                + " must be optional: true");
                    }
                }
                for (Map<?, ?> from : KnativeManifestSchemaTest.listOfMaps(c.get("envFrom"))) {
                    if (from.get("secretRef") instanceof Map<?, ?> r && !Boolean.TRUE.equals(r.get("optional"))) {
                        out.add(label + " envFrom secretRef " + r.get("name") + " must be optional: true");
                    }
                }
            }
        }
        return out;
    }

    /**
     * Secret volumes of Knative Services name a Secret whose layout {@link #SECRET_KEYS} documents and are mounted
     * read-only, and an env value that names a file under a Secret's mount path names one of its documented keys
     * (e.g. webhook-ingress' {@code *_SECRETFILE} variables).
     */
    static List<String> secretMounts(List<Manifest> docs) {
        List<String> out = new ArrayList<>();
        for (Manifest s : ofKind(docs, KSVC, "Service")) {
            Map<String, String> secretVolumes = new LinkedHashMap<>();
            for (Map<?, ?> v : KnativeManifestSchemaTest.listOfMaps(path(s.content(), "spec", "template", "spec", "volumes"))) {
                Object secret = path(v, "secret", "secretName");
                if (secret != null) {
                    secretVolumes.put(String.valueOf(v.get("name")), String.valueOf(secret));
                    if (!SECRET_KEYS.containsKey(String.valueOf(secret))) {
                        out.add("Service/" + s.name() + " volume " + v.get("name") + ": Secret " + secret
                                + " has no documented layout (add it to ManifestPolicies.SECRET_KEYS and docs/install.md)");
                    }
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
                            Set<String> keys = SECRET_KEYS.getOrDefault(secret, Set.of());
                            if (!keys.isEmpty() && !keys.contains(key)) {
                                out.add(at + " env " + env.get("name") + ": " + value + " is not a documented key of"
                                        + " Secret " + secret + " " + new TreeSet<>(keys));
                            }
                        }
                    });
                }
            }
        }
        return out;
    }

    // --- sender authorization and network isolation -----------------------------------------------------------

    static final String EVENT_POLICY_API = "eventing.knative.dev/v1alpha1";
    static final String BROKER = "relay";

    /** Kinds that post to the Broker with an OIDC identity of their own (Knative's sources and bindings). */
    static final Set<String> SOURCE_KINDS = Set.of("SinkBinding", "ApiServerSource", "PingSource", "ContainerSource");

    /**
     * Exactly one EventPolicy protects Broker relay (its {@code to} is that Broker by ref, nothing else), and it
     * admits exactly Relay's senders, by ref: every source or binding in {@code knative/} that sinks into the Broker,
     * and every Trigger of {@code triggers/} on it (the broker re-posts a subscriber's reply as the Trigger's OIDC
     * identity); no {@code sub}, so no wildcard and no ServiceAccount of a build or scan pod; every ref names an
     * object of {@code knative/} or {@code triggers/} in namespace relay.
     */
    static List<String> brokerSenders(List<Manifest> docs, List<Manifest> triggers) {
        List<String> out = new ArrayList<>();
        List<Manifest> policies = ofKind(docs, EVENT_POLICY_API, "EventPolicy");
        List<Manifest> forBroker = new ArrayList<>();
        for (Manifest p : policies) {
            List<Map<?, ?>> to = KnativeManifestSchemaTest.listOfMaps(path(p.content(), "spec", "to"));
            boolean brokerOnly = to.size() == 1 && to.get(0).get("ref") instanceof Map<?, ?> ref
                    && "eventing.knative.dev/v1".equals(ref.get("apiVersion")) && "Broker".equals(ref.get("kind"))
                    && BROKER.equals(ref.get("name"));
            if (brokerOnly) {
                forBroker.add(p);
            } else {
                out.add("EventPolicy/" + p.name() + ": spec.to must be exactly the Broker " + BROKER + " by ref (an"
                        + " empty or wider to applies it to other resources of the namespace) but is " + to);
            }
        }
        if (forBroker.size() != 1) {
            out.add("exactly one EventPolicy must protect Broker " + BROKER + ", found " + forBroker.size());
            return out;
        }
        Manifest policy = forBroker.get(0);
        String label = "EventPolicy/" + policy.name();
        if (path(policy.content(), "spec", "filters") != null) {
            out.add(label + ": filters would drop Relay's own events; sender identity is the rule");
        }
        Set<String> allowed = new TreeSet<>();
        Set<String> existing = new TreeSet<>();
        List<Manifest> everything = new ArrayList<>(docs);
        everything.addAll(triggers);
        everything.forEach(m -> existing.add(m.kind() + "/" + m.name()));
        for (Map<?, ?> from : KnativeManifestSchemaTest.listOfMaps(path(policy.content(), "spec", "from"))) {
            if (from.get("sub") != null) {
                out.add(label + ": from.sub " + from.get("sub") + " - name senders by ref, so no wildcard or"
                        + " ServiceAccount can widen who may post");
                continue;
            }
            if (!(from.get("ref") instanceof Map<?, ?> ref)) {
                out.add(label + ": from entry without ref " + from);
                continue;
            }
            String key = ref.get("kind") + "/" + ref.get("name");
            allowed.add(key);
            if (!NAMESPACE.equals(ref.get("namespace"))) {
                out.add(label + ": from.ref " + key + " must say namespace " + NAMESPACE);
            }
            if (!existing.contains(key)) {
                out.add(label + ": from.ref " + key + " names no object in knative/ or triggers/");
            }
        }
        for (Manifest m : docs) {
            if (SOURCE_KINDS.contains(m.kind()) && m.apiVersion().startsWith("sources.knative.dev/")
                    && "Broker".equals(path(m.content(), "spec", "sink", "ref", "kind"))
                    && !allowed.contains(m.kind() + "/" + m.name())) {
                out.add(label + ": " + m.kind() + "/" + m.name() + " posts to the Broker but is not in from");
            }
        }
        for (Manifest t : triggers) {
            if ("Trigger".equals(t.kind()) && BROKER.equals(path(t.content(), "spec", "broker"))
                    && !allowed.contains("Trigger/" + t.name())) {
                out.add(label + ": Trigger/" + t.name() + " re-posts its subscriber's replies but is not in from");
            }
        }
        return out;
    }

    /** Private, link-local and loopback ranges a build or scan pod must not reach (the cluster lives there). */
    static final Set<String> PRIVATE_RANGES = Set.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
            "169.254.0.0/16", "127.0.0.0/8");

    /**
     * A NetworkPolicy selects the pods of build and scan Jobs ({@code jobPodLabels}), no Relay function, allows them
     * no ingress and egress only to DNS (kube-dns, port 53) and to addresses outside {@link #PRIVATE_RANGES} (and
     * outside fc00::/7 for IPv6): the broker ingress, the Knative gateways and the functions are out of reach.
     */
    static List<String> jobIsolation(List<Manifest> docs, Map<String, String> jobPodLabels) {
        List<String> out = new ArrayList<>();
        List<Manifest> selecting = new ArrayList<>();
        for (Manifest np : ofKind(docs, "networking.k8s.io/v1", "NetworkPolicy")) {
            if (selects(np, jobPodLabels)) {
                selecting.add(np);
            }
            for (Manifest s : ofKind(docs, KSVC, "Service")) {
                Object labels = path(s.content(), "spec", "template", "metadata", "labels");
                if (labels instanceof Map<?, ?> l && selects(np, stringMap(l))) {
                    out.add("NetworkPolicy/" + np.name() + ": selects the pods of Service/" + s.name()
                            + "; it is for build and scan Job pods only");
                }
            }
        }
        if (selecting.isEmpty()) {
            out.add("no NetworkPolicy selects build and scan Job pods " + jobPodLabels);
        }
        for (Manifest np : selecting) {
            String label = "NetworkPolicy/" + np.name();
            List<String> types = KnativeManifestSchemaTest.listOfStrings(path(np.content(), "spec", "policyTypes"));
            if (!types.contains("Ingress") || !types.contains("Egress")) {
                out.add(label + ": policyTypes must hold Ingress and Egress, not " + types);
            }
            if (!KnativeManifestSchemaTest.listOfMaps(path(np.content(), "spec", "ingress")).isEmpty()) {
                out.add(label + ": nothing may connect to a build or scan pod (no ingress rules)");
            }
            List<Map<?, ?>> egress = KnativeManifestSchemaTest.listOfMaps(path(np.content(), "spec", "egress"));
            for (int i = 0; i < egress.size(); i++) {
                Map<?, ?> rule = egress.get(i);
                String at = label + " egress[" + i + "]";
                List<Map<?, ?>> peers = KnativeManifestSchemaTest.listOfMaps(rule.get("to"));
                if (peers.isEmpty()) {
                    out.add(at + ": no 'to' allows every destination");
                }
                for (Map<?, ?> peer : peers) {
                    if (peer.get("ipBlock") instanceof Map<?, ?> block) {
                        String cidr = String.valueOf(block.get("cidr"));
                        Set<String> except = new TreeSet<>(KnativeManifestSchemaTest.listOfStrings(block.get("except")));
                        if (cidr.contains(":")) {
                            if (!except.contains("fc00::/7")) {
                                out.add(at + ": ipBlock " + cidr + " must except fc00::/7 (cluster-private IPv6)");
                            }
                        } else if (!except.containsAll(PRIVATE_RANGES)) {
                            Set<String> missing = new TreeSet<>(PRIVATE_RANGES);
                            missing.removeAll(except);
                            out.add(at + ": ipBlock " + cidr + " reaches private addresses " + missing);
                        }
                    } else if (!isDns(peer, rule)) {
                        out.add(at + ": peer " + peer + " is in the cluster; only kube-dns on port 53 is allowed");
                    }
                }
            }
        }
        return out;
    }

    private static boolean isDns(Map<?, ?> peer, Map<?, ?> rule) {
        boolean kubeDns = "kube-system".equals(path(peer, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"))
                && "kube-dns".equals(path(peer, "podSelector", "matchLabels", "k8s-app"));
        List<Map<?, ?>> ports = KnativeManifestSchemaTest.listOfMaps(rule.get("ports"));
        return kubeDns && !ports.isEmpty() && ports.stream().allMatch(p -> Integer.valueOf(53).equals(p.get("port")));
    }

    /** Whether the NetworkPolicy's podSelector (matchLabels only) selects a pod with these labels. */
    private static boolean selects(Manifest np, Map<String, String> podLabels) {
        Object selector = path(np.content(), "spec", "podSelector");
        if (!(selector instanceof Map<?, ?> s) || s.get("matchExpressions") != null) {
            return false;
        }
        Map<String, String> match = s.get("matchLabels") instanceof Map<?, ?> m ? stringMap(m) : Map.of();
        return podLabels.entrySet().containsAll(match.entrySet());
    }

    private static Map<String, String> stringMap(Map<?, ?> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
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
