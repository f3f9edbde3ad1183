package dev.relay.tests.manifests;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The PodSpec rules Knative Serving's admission webhook enforces on a {@code serving.knative.dev/v1} Service's revision
 * template, beyond what the CRD schema says (the CRD admits e.g. {@code automountServiceAccountToken: true}, reserved
 * ports and env names, and every feature-gated field, and the webhook then refuses the apply).
 *
 * <p>Written for Relay after knative/serving {@code pkg/apis/serving/fieldmask.go} (commit
 * ec4128ad53a8400720899dc333a286397bdb595d: the PodSpec/Container/Volume masks, {@code automountServiceAccountToken}
 * kept only when {@code false}) and {@code pkg/apis/serving/k8s_validation.go} (commit
 * 01a70b23a069ab215521f10fa1b81569c0cb0bba: reserved env names, ports, container name and mount paths, volume
 * sources, ports, probes), with the fields and feature flags that later releases added taken from the serving CRD
 * Relay validates against ({@code config/core/300-resources/service.yaml} at 98e5ef90aa7033797aa0a61ef97f3ff7e49a3944,
 * whose "accessible behind a feature flag" notes are generated from the same masks: {@code startupProbe}, {@code grpc}
 * probes, {@code allowPrivilegeEscalation}, {@code seccompProfile}, {@code privileged: false}, the csi, ephemeral,
 * hostPath and image volume flags). Mount paths {@code /tmp}, {@code /var} and {@code /var/log} stay reserved here as
 * Knative Serving releases before that commit reserved them, so the manifests are admitted by those too.
 *
 * <p>A field behind a feature flag is allowed only when the flag is in {@code enabled} (the flags of
 * {@code knative-serving/config-features} that the cluster turns on). Every message names the JSON path and, for a
 * gated field, the flag.
 */
final class KnativeAdmission {

    /** The only config-features flag Relay's Services need (upstream Knative enables it by default). */
    static final Set<String> RELAY_FEATURES = Set.of("kubernetes.podspec-volumes-emptydir");

    /** Revision-level fields Knative adds to the pod spec. */
    static final Set<String> REVISION_FIELDS =
            Set.of("containerConcurrency", "timeoutSeconds", "idleTimeoutSeconds", "responseStartTimeoutSeconds");

    /** Field → feature flag that gates it; {@code ALWAYS} when no flag is needed. A field not listed is refused. */
    private static final String ALWAYS = "";

    static final Map<String, String> POD_SPEC = fields(
            "serviceAccountName", ALWAYS, "containers", ALWAYS, "volumes", ALWAYS, "imagePullSecrets", ALWAYS,
            "enableServiceLinks", ALWAYS, "automountServiceAccountToken", ALWAYS,
            "affinity", "kubernetes.podspec-affinity",
            "hostAliases", "kubernetes.podspec-hostaliases",
            "nodeSelector", "kubernetes.podspec-nodeselector",
            "runtimeClassName", "kubernetes.podspec-runtimeclassname",
            "tolerations", "kubernetes.podspec-tolerations",
            "securityContext", "kubernetes.podspec-securitycontext",
            "priorityClassName", "kubernetes.podspec-priorityclassname",
            "schedulerName", "kubernetes.podspec-schedulername",
            "initContainers", "kubernetes.podspec-init-containers",
            "topologySpreadConstraints", "kubernetes.podspec-topologyspreadconstraints",
            "dnsPolicy", "kubernetes.podspec-dnspolicy",
            "dnsConfig", "kubernetes.podspec-dnsconfig",
            "hostNetwork", "kubernetes.podspec-hostnetwork",
            "hostPID", "kubernetes.podspec-hostpid",
            "hostIPC", "kubernetes.podspec-hostipc",
            "shareProcessNamespace", "kubernetes.podspec-shareprocessnamespace");

    static final Map<String, String> CONTAINER = always("name", "args", "command", "env", "workingDir", "envFrom",
            "image", "imagePullPolicy", "livenessProbe", "readinessProbe", "startupProbe", "ports", "resources",
            "securityContext", "terminationMessagePath", "terminationMessagePolicy", "volumeMounts");

    static final Map<String, String> CONTAINER_SECURITY_CONTEXT = always("capabilities", "readOnlyRootFilesystem",
            "runAsUser", "runAsGroup", "runAsNonRoot", "allowPrivilegeEscalation", "seccompProfile", "privileged");

    static final Map<String, String> CAPABILITIES = fields("drop", ALWAYS,
            "add", "kubernetes.containerspec-addcapabilities");

    static final Map<String, String> POD_SECURITY_CONTEXT =
            always("runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup", "supplementalGroups", "seccompProfile");

    static final Map<String, String> PORT = always("containerPort", "name", "protocol");
    static final Map<String, String> ENV = always("name", "value", "valueFrom");
    static final Map<String, String> ENV_VALUE_FROM = fields("configMapKeyRef", ALWAYS, "secretKeyRef", ALWAYS,
            "fieldRef", "kubernetes.podspec-fieldref", "resourceFieldRef", "kubernetes.podspec-fieldref");
    static final Map<String, String> ENV_FROM = always("prefix", "configMapRef", "secretRef");
    static final Map<String, String> VOLUME_MOUNT = fields("name", ALWAYS, "readOnly", ALWAYS, "mountPath", ALWAYS,
            "subPath", ALWAYS, "mountPropagation", "kubernetes.podspec-volumes-mount-propagation");
    static final Map<String, String> RESOURCES = always("limits", "requests");
    static final Map<String, String> PROBE = always("exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds",
            "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold");
    static final Map<String, String> HTTP_GET = always("host", "path", "scheme", "httpHeaders", "port");
    static final Map<String, String> TCP_SOCKET = always("host", "port");
    static final List<String> PROBE_HANDLERS = List.of("httpGet", "tcpSocket", "exec", "grpc");

    /** Volume source → flag; secret, configMap and projected need none; any other source is refused. */
    static final Map<String, String> VOLUME_SOURCES = fields("secret", ALWAYS, "configMap", ALWAYS,
            "projected", ALWAYS,
            "emptyDir", "kubernetes.podspec-volumes-emptydir",
            "persistentVolumeClaim", "kubernetes.podspec-persistent-volume-claim",
            "csi", "kubernetes.podspec-volumes-csi",
            "ephemeral", "kubernetes.podspec-volumes-ephemeral",
            "hostPath", "kubernetes.podspec-volumes-hostpath",
            "image", "kubernetes.podspec-volumes-image");
    static final String PVC_WRITE = "kubernetes.podspec-persistent-volume-write";
    static final Set<String> PROJECTION_SOURCES = Set.of("secret", "configMap", "serviceAccountToken", "downwardAPI");

    static final Set<String> RESERVED_ENV = Set.of("PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION");
    /** queue-proxy's HTTP/1 and HTTP/2 backends, its admin port, its two metrics ports, and Knative's profiling port. */
    static final Set<Integer> RESERVED_PORTS = Set.of(8012, 8013, 8022, 9090, 9091, 8008);
    static final Set<String> PORT_NAMES = Set.of("", "h2c", "http1");
    static final Set<String> RESERVED_CONTAINER_NAMES = Set.of("queue-proxy");
    static final Set<String> RESERVED_MOUNT_PATHS = Set.of("/", "/dev", "/dev/log", "/tmp", "/var", "/var/log");

    private static final String DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS1123_SUBDOMAIN = DNS1123_LABEL + "(\\." + DNS1123_LABEL + ")*";

    private final Set<String> enabled;

    KnativeAdmission(Set<String> enabledFeatures) {
        this.enabled = Set.copyOf(enabledFeatures);
    }

    /** Relay's admission: only {@link #RELAY_FEATURES} enabled. */
    static KnativeAdmission relay() {
        return new KnativeAdmission(RELAY_FEATURES);
    }

    /** Violations of a Knative Service's revision template, {@code $.spec.template.spec...}; empty when admitted. */
    List<String> validate(Map<String, Object> service) {
        List<String> out = new ArrayList<>();
        Object spec = ManifestValidator.path(service, "spec", "template", "spec");
        if (!(spec instanceof Map<?, ?> podSpec)) {
            return List.of("$.spec.template.spec: missing");
        }
        podSpec(podSpec, "$.spec.template.spec", out);
        return out;
    }

    private void podSpec(Map<?, ?> spec, String at, List<String> out) {
        Map<String, String> allowed = new LinkedHashMap<>(POD_SPEC);
        REVISION_FIELDS.forEach(f -> allowed.put(f, ALWAYS));
        mask(spec, allowed, at, out);
        if (spec.containsKey("automountServiceAccountToken")
                && !Boolean.FALSE.equals(spec.get("automountServiceAccountToken"))) {
            out.add(at + ".automountServiceAccountToken: must not set the field(s) (Knative admits it only as false)");
        }
        Object sa = spec.get("serviceAccountName");
        if (sa != null && !String.valueOf(sa).matches(DNS1123_SUBDOMAIN)) {
            out.add(at + ".serviceAccountName: invalid value " + sa);
        }
        if (spec.get("securityContext") instanceof Map<?, ?> psc && enabled("kubernetes.podspec-securitycontext")) {
            mask(psc, POD_SECURITY_CONTEXT, at + ".securityContext", out);
        }

        List<Map<?, ?>> containers = maps(spec.get("containers"));
        List<Map<?, ?>> initContainers = maps(spec.get("initContainers"));
        Map<String, Map<?, ?>> volumes = volumes(spec, containers, initContainers, at, out);

        if (containers.isEmpty()) {
            out.add(at + ".containers: missing field(s)");
            return;
        }
        int portCount = 0;
        Map<?, ?> servingPort = Map.of();
        for (Map<?, ?> c : containers) {
            List<Map<?, ?>> ports = maps(c.get("ports"));
            portCount += ports.size();
            if (!ports.isEmpty()) {
                servingPort = ports.get(0);
            }
        }
        if (portCount > 1) {
            out.add(at + ".containers[*].ports: more than one container port is set (only a single port is allowed"
                    + " across all containers)");
        }
        if (portCount == 0 && containers.size() > 1) {
            out.add(at + ".containers[*].ports: missing field(s) (one container must name the serving port)");
        }
        String servingPortName = String.valueOf(servingPort.get("name") == null ? "http" : servingPort.get("name"));
        Set<String> names = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            Map<?, ?> c = containers.get(i);
            String cat = at + ".containers[" + i + "]";
            if (!names.add(String.valueOf(c.get("name")))) {
                out.add(cat + ".name: duplicate container name " + c.get("name"));
            }
            boolean serving = containers.size() == 1 || !maps(c.get("ports")).isEmpty();
            if (serving) {
                probe(c.get("livenessProbe"), servingPortName, false, cat + ".livenessProbe", out);
                probe(c.get("readinessProbe"), servingPortName, true, cat + ".readinessProbe", out);
            } else {
                for (String p : List.of("livenessProbe", "readinessProbe")) {
                    if (c.get(p) instanceof Map<?, ?> probe && !probe.isEmpty()) {
                        out.add(cat + "." + p + ": must not set the field(s) " + new TreeSet<>(keys(probe))
                                + " (probes only on the serving container)");
                    }
                }
            }
            container(c, volumes, serving ? RESERVED_ENV : sidecarReservedEnv(), false, cat, out);
        }
        if (!initContainers.isEmpty() && enabled("kubernetes.podspec-init-containers")) {
            for (int i = 0; i < initContainers.size(); i++) {
                Map<?, ?> c = initContainers.get(i);
                String cat = at + ".initContainers[" + i + "]";
                if (!names.add(String.valueOf(c.get("name")))) {
                    out.add(cat + ".name: duplicate container name " + c.get("name"));
                }
                for (String f : List.of("livenessProbe", "readinessProbe", "startupProbe", "lifecycle")) {
                    if (c.containsKey(f)) {
                        out.add(cat + "." + f + ": field not allowed in an init container");
                    }
                }
                container(c, volumes, sidecarReservedEnv(), true, cat, out);
            }
        }
    }

    private static Set<String> sidecarReservedEnv() {
        Set<String> s = new HashSet<>(RESERVED_ENV);
        s.remove("PORT");
        return s;
    }

    private Map<String, Map<?, ?>> volumes(Map<?, ?> spec, List<Map<?, ?>> containers, List<Map<?, ?>> init,
            String at, List<String> out) {
        Set<String> mounted = new HashSet<>();
        for (List<Map<?, ?>> list : List.of(containers, init)) {
            for (Map<?, ?> c : list) {
                maps(c.get("volumeMounts")).forEach(vm -> mounted.add(String.valueOf(vm.get("name"))));
            }
        }
        Map<String, Map<?, ?>> volumes = new LinkedHashMap<>();
        List<Map<?, ?>> list = maps(spec.get("volumes"));
        for (int i = 0; i < list.size(); i++) {
            Map<?, ?> v = list.get(i);
            String vat = at + ".volumes[" + i + "]";
            String name = String.valueOf(v.get("name"));
            if (volumes.containsKey(name)) {
                out.add(vat + ".name: duplicate volume name " + name);
            }
            if (!mounted.contains(name)) {
                out.add(vat + ".name: volume with name " + name + " not mounted");
            }
            if (v.get("name") == null) {
                out.add(vat + ".name: missing field(s)");
            } else if (!name.matches(DNS1123_LABEL)) {
                out.add(vat + ".name: invalid value " + name);
            }
            List<String> sources = new ArrayList<>();
            for (Object key : v.keySet()) {
                String k = String.valueOf(key);
                if (k.equals("name")) {
                    continue;
                }
                sources.add(k);
                String flag = VOLUME_SOURCES.get(k);
                if (flag == null) {
                    out.add(vat + "." + k + ": must not set the field(s) (Knative admits volume sources "
                            + new TreeSet<>(VOLUME_SOURCES.keySet()) + " only)");
                } else if (!flag.isEmpty() && !enabled(flag)) {
                    out.add(vat + "." + k + ": " + k + " volume support is disabled (feature flag " + flag + ")");
                }
            }
            if (sources.isEmpty()) {
                out.add(vat + ": expected exactly one, got neither (secret, configMap, projected, ...)");
            } else if (sources.size() > 1) {
                out.add(vat + ": expected exactly one, got both " + sources);
            }
            if (v.get("emptyDir") instanceof Map<?, ?> emptyDir && emptyDir.get("medium") != null
                    && !List.of("", "Memory").contains(String.valueOf(emptyDir.get("medium")))) {
                out.add(vat + ".emptyDir.medium: invalid value " + emptyDir.get("medium"));
            }
            if (v.get("persistentVolumeClaim") instanceof Map<?, ?> pvc && !Boolean.TRUE.equals(pvc.get("readOnly"))
                    && !enabled(PVC_WRITE)) {
                out.add(vat + ".persistentVolumeClaim: persistent volume write support is disabled (feature flag "
                        + PVC_WRITE + ")");
            }
            if (v.get("projected") instanceof Map<?, ?> projected) {
                List<Map<?, ?>> projections = maps(projected.get("sources"));
                for (int j = 0; j < projections.size(); j++) {
                    Set<String> kinds = keys(projections.get(j));
                    String pat = vat + ".projected.sources[" + j + "]";
                    if (!PROJECTION_SOURCES.containsAll(kinds)) {
                        out.add(pat + ": must not set the field(s) " + without(kinds, PROJECTION_SOURCES));
                    }
                    if (kinds.size() != 1) {
                        out.add(pat + ": expected exactly one of " + new TreeSet<>(PROJECTION_SOURCES));
                    }
                }
            }
            volumes.put(name, v);
        }
        return volumes;
    }

    private void container(Map<?, ?> c, Map<String, Map<?, ?>> volumes, Set<String> reservedEnv, boolean init,
            String at, List<String> out) {
        mask(c, CONTAINER, at, out);
        if (RESERVED_CONTAINER_NAMES.contains(String.valueOf(c.get("name")))) {
            out.add(at + ".name: " + c.get("name") + " is a reserved container name");
        }
        if (c.get("image") == null || String.valueOf(c.get("image")).isBlank()) {
            out.add(at + ".image: missing field(s)");
        }
        List<Map<?, ?>> env = maps(c.get("env"));
        for (int i = 0; i < env.size(); i++) {
            Map<?, ?> e = env.get(i);
            String eat = at + ".env[" + i + "]";
            mask(e, ENV, eat, out);
            if (e.get("name") == null) {
                out.add(eat + ".name: missing field(s)");
            } else if (reservedEnv.contains(String.valueOf(e.get("name")))) {
                out.add(eat + ".name: " + e.get("name") + " is a reserved environment variable");
            }
            if (e.get("valueFrom") instanceof Map<?, ?> from) {
                mask(from, ENV_VALUE_FROM, eat + ".valueFrom", out);
            }
        }
        List<Map<?, ?>> envFrom = maps(c.get("envFrom"));
        for (int i = 0; i < envFrom.size(); i++) {
            Map<?, ?> e = envFrom.get(i);
            mask(e, ENV_FROM, at + ".envFrom[" + i + "]", out);
            if ((e.get("configMapRef") == null) == (e.get("secretRef") == null)) {
                out.add(at + ".envFrom[" + i + "]: expected exactly one of configMapRef, secretRef");
            }
        }
        List<Map<?, ?>> ports = maps(c.get("ports"));
        for (int i = 0; i < ports.size(); i++) {
            Map<?, ?> p = ports.get(i);
            String pat = at + ".ports[" + i + "]";
            mask(p, PORT, pat, out);
            Object number = p.get("containerPort");
            if (number instanceof Integer n) {
                if (RESERVED_PORTS.contains(n)) {
                    out.add(pat + ".containerPort: " + n + " is a reserved port, please use a different value");
                }
                if (n < 0 || n > 65535) {
                    out.add(pat + ".containerPort: " + n + " is out of bounds 0..65535");
                }
            }
            if (!init && i == 0) {
                Object protocol = p.get("protocol");
                if (protocol != null && !"".equals(protocol) && !"TCP".equals(protocol)) {
                    out.add(pat + ".protocol: invalid value " + protocol);
                }
                String name = p.get("name") == null ? "" : String.valueOf(p.get("name"));
                if (!PORT_NAMES.contains(name)) {
                    out.add(pat + ": Port name " + name + " is not allowed (empty, h2c or http1)");
                }
            }
        }
        if (c.get("resources") instanceof Map<?, ?> resources) {
            mask(resources, RESOURCES, at + ".resources", out);
        }
        if (c.get("securityContext") instanceof Map<?, ?> sc) {
            mask(sc, CONTAINER_SECURITY_CONTEXT, at + ".securityContext", out);
            if (sc.containsKey("privileged") && !Boolean.FALSE.equals(sc.get("privileged"))) {
                out.add(at + ".securityContext.privileged: must not set the field(s) (Knative admits it only as false)");
            }
            if (sc.get("capabilities") instanceof Map<?, ?> caps) {
                mask(caps, CAPABILITIES, at + ".securityContext.capabilities", out);
            }
            for (String id : List.of("runAsUser", "runAsGroup")) {
                if (sc.get(id) instanceof Number n && (n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE)) {
                    out.add(at + ".securityContext." + id + ": " + n + " is out of bounds 0..2147483647");
                }
            }
        }
        Object policy = c.get("terminationMessagePolicy");
        if (policy != null && !List.of("File", "FallbackToLogsOnError", "").contains(String.valueOf(policy))) {
            out.add(at + ".terminationMessagePolicy: invalid value " + policy);
        }
        volumeMounts(maps(c.get("volumeMounts")), volumes, at + ".volumeMounts", out);
    }

    private void volumeMounts(List<Map<?, ?>> mounts, Map<String, Map<?, ?>> volumes, String at, List<String> out) {
        Set<String> seenPaths = new HashSet<>();
        for (int i = 0; i < mounts.size(); i++) {
            Map<?, ?> vm = mounts.get(i);
            String mat = at + "[" + i + "]";
            mask(vm, VOLUME_MOUNT, mat, out);
            Map<?, ?> volume = volumes.get(String.valueOf(vm.get("name")));
            if (volume == null) {
                out.add(mat + ".name: volumeMount has no matching volume");
            }
            Object mountPath = vm.get("mountPath");
            String clean = mountPath == null ? "" : clean(String.valueOf(mountPath));
            if (mountPath == null || String.valueOf(mountPath).isEmpty()) {
                out.add(mat + ".mountPath: missing field(s)");
            } else if (RESERVED_MOUNT_PATHS.contains(clean)) {
                out.add(mat + ".mountPath: mountPath " + clean + " is a reserved path");
            } else if (!String.valueOf(mountPath).startsWith("/")) {
                out.add(mat + ".mountPath: invalid value " + mountPath + " (not absolute)");
            } else if (seenPaths.contains(clean)) {
                out.add(mat + ".mountPath: invalid value " + mountPath + " must be unique");
            }
            seenPaths.add(clean);
            boolean writable = volume != null && (volume.containsKey("emptyDir")
                    || volume.containsKey("persistentVolumeClaim"));
            if (volume != null && !writable && !Boolean.TRUE.equals(vm.get("readOnly"))) {
                out.add(mat + ".readOnly: volume mount should be readOnly for this type of volume");
            }
            if (volume != null && volume.get("persistentVolumeClaim") instanceof Map<?, ?> pvc
                    && Boolean.TRUE.equals(pvc.get("readOnly")) && !Boolean.TRUE.equals(vm.get("readOnly"))) {
                out.add(mat + ".readOnly: volume is readOnly but volume mount is not");
            }
        }
    }

    private void probe(Object value, String servingPortName, boolean readiness, String at, List<String> out) {
        if (!(value instanceof Map<?, ?> p)) {
            return;
        }
        mask(p, PROBE, at, out);
        List<String> handlers = PROBE_HANDLERS.stream().filter(p::containsKey).toList();
        if (handlers.isEmpty()) {
            out.add(at + ": expected exactly one, got neither of " + PROBE_HANDLERS);
        } else if (handlers.size() > 1) {
            out.add(at + ": expected exactly one, got both " + handlers);
        }
        if (p.get("httpGet") instanceof Map<?, ?> httpGet) {
            mask(httpGet, HTTP_GET, at + ".httpGet", out);
            namedPort(httpGet.get("port"), servingPortName, at + ".httpGet.port", out);
        }
        if (p.get("tcpSocket") instanceof Map<?, ?> tcp) {
            mask(tcp, TCP_SOCKET, at + ".tcpSocket", out);
            namedPort(tcp.get("port"), servingPortName, at + ".tcpSocket.port", out);
        }
        if (!readiness) {
            return;
        }
        int period = intOf(p.get("periodSeconds"));
        if (period < 0) {
            out.add(at + ".periodSeconds: out of bounds 0..");
        }
        if (intOf(p.get("initialDelaySeconds")) < 0) {
            out.add(at + ".initialDelaySeconds: out of bounds 0..");
        }
        if (p.containsKey("successThreshold") && intOf(p.get("successThreshold")) < 1) {
            out.add(at + ".successThreshold: out of bounds 1..");
        }
        if (period == 0) {
            for (String f : List.of("failureThreshold", "timeoutSeconds")) {
                if (intOf(p.get(f)) != 0) {
                    out.add(at + "." + f + ": " + f + " is disallowed when periodSeconds is zero");
                }
            }
        }
    }

    private static void namedPort(Object port, String servingPortName, String at, List<String> out) {
        if (port instanceof String name && !name.isEmpty() && !name.equals(servingPortName)) {
            out.add(at + ": invalid value " + name + " (probe port must match container port " + servingPortName + ")");
        }
    }

    /** Every key of {@code object} that {@code allowed} does not list, or lists behind a flag that is off. */
    private void mask(Map<?, ?> object, Map<String, String> allowed, String at, List<String> out) {
        for (Object key : object.keySet()) {
            String k = String.valueOf(key);
            String flag = allowed.get(k);
            if (flag == null) {
                out.add(at + "." + k + ": must not set the field(s)");
            } else if (!flag.isEmpty() && !enabled(flag)) {
                out.add(at + "." + k + ": must not set the field(s) (behind feature flag " + flag
                        + ", not enabled)");
            }
        }
    }

    private boolean enabled(String flag) {
        return enabled.contains(flag);
    }

    /** Go's path.Clean for the absolute paths mounts use. */
    static String clean(String path) {
        String p = java.nio.file.Path.of(path).normalize().toString();
        return p.isEmpty() ? "." : p;
    }

    private static int intOf(Object o) {
        return o instanceof Number n ? n.intValue() : 0;
    }

    private static Set<String> keys(Map<?, ?> m) {
        Set<String> out = new TreeSet<>();
        m.keySet().forEach(k -> out.add(String.valueOf(k)));
        return out;
    }

    private static Set<String> without(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static List<Map<?, ?>> maps(Object o) {
        return KnativeManifestSchemaTest.listOfMaps(o);
    }

    private static Map<String, String> always(String... names) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, ALWAYS);
        }
        return Map.copyOf(out);
    }

    private static Map<String, String> fields(String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return Map.copyOf(out);
    }
}
