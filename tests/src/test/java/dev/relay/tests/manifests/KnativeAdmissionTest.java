package dev.relay.tests.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.relay.tests.manifests.Manifests.Manifest;

/**
 * Every Knative Service that {@code kubectl apply -k knative/} (and the Kafka broker overlay) would send passes the
 * admission rules of Knative Serving's webhook ({@link KnativeAdmission}) with only the feature flags Relay documents
 * ({@link KnativeAdmission#RELAY_FEATURES}); each rule rejects a copy of a real Service broken in one place.
 */
class KnativeAdmissionTest {

    static final String KSVC = KnativeManifestSchemaTest.KSVC;

    static Path root;
    static List<Manifest> sources;
    static KnativeAdmission admission;
    /** on-sync-verify: a token-mounting Service with ConfigMap, Secret and emptyDir volumes. */
    static Map<String, Object> service;

    @BeforeAll
    static void load() {
        root = Manifests.repoRoot();
        sources = Manifests.parseAll(List.of(root.resolve("knative")));
        admission = KnativeAdmission.relay();
        service = sources.stream().filter(m -> KSVC.equals(m.apiVersion()) && "Service".equals(m.kind())
                && "on-sync-verify".equals(m.name())).findFirst().orElseThrow().content();
        assertThat(admission.validate(service)).as("the unbroken original is admitted").isEmpty();
    }

    static Stream<DynamicTest> admitted(List<Manifest> docs, String what) {
        List<Manifest> services = docs.stream().filter(m -> KSVC.equals(m.apiVersion()) && "Service".equals(m.kind()))
                .toList();
        assertThat(services).as("Knative Services in " + what).isNotEmpty();
        return services.stream().map(s -> DynamicTest.dynamicTest(what + " Service/" + s.name(), () -> {
            List<String> violations = admission.validate(s.content());
            assertTrue(violations.isEmpty(), () -> what + " Service/" + s.name()
                    + " would be refused by Knative Serving's webhook:\n  " + String.join("\n  ", violations));
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyKnativeServiceSourceIsAdmitted() {
        return admitted(sources, "knative/");
    }

    @TestFactory
    Stream<DynamicTest> everyRenderedKnativeServiceIsAdmitted() {
        return admitted(Manifests.kustomize(root.resolve("knative")), "kubectl kustomize knative/");
    }

    @TestFactory
    Stream<DynamicTest> everyKnativeServiceOfTheKafkaBrokerOverlayIsAdmitted() {
        return admitted(Manifests.kustomize(root.resolve("overlays/kafka-broker")),
                "kubectl kustomize overlays/kafka-broker/");
    }

    // --- negative controls: one real Service, broken in one place per case ---------------------------------------

    static List<String> violationsOf(Consumer<Map<String, Object>> change) {
        return violationsOf(admission, change);
    }

    static List<String> violationsOf(KnativeAdmission rules, Consumer<Map<String, Object>> change) {
        Map<String, Object> copy = Manifests.deepCopy(service);
        change.accept(copy);
        return rules.validate(copy);
    }

    static void refused(Consumer<Map<String, Object>> change, String... fragments) {
        assertThat(violationsOf(change)).anySatisfy(v -> assertThat(v).contains(fragments));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> pod(Map<String, Object> s) {
        return (Map<String, Object>) ManifestValidator.path(s, "spec", "template", "spec");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> container(Map<String, Object> s) {
        return ((List<Map<String, Object>>) pod(s).get("containers")).get(0);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        List<Map<String, Object>> l = new ArrayList<>((List<Map<String, Object>>) m.getOrDefault(key, List.of()));
        m.put(key, l);
        return l;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object m, String key) {
        return (Map<String, Object>) ((Map<String, Object>) m).get(key);
    }

    @Test
    void automountServiceAccountTokenIsAdmittedOnlyAsFalse() {
        refused(s -> pod(s).put("automountServiceAccountToken", true),
                "spec.template.spec.automountServiceAccountToken", "must not set");
        assertThat(violationsOf(s -> pod(s).put("automountServiceAccountToken", false))).isEmpty();
    }

    @Test
    void podSpecFieldsOutsideTheMaskAreRefused() {
        refused(s -> pod(s).put("restartPolicy", "Always"), ".restartPolicy", "must not set");
        refused(s -> pod(s).put("terminationGracePeriodSeconds", 5), ".terminationGracePeriodSeconds");
        refused(s -> pod(s).put("nodeName", "node-1"), ".nodeName");
    }

    @Test
    void featureGatedPodSpecFieldsNeedTheirFlag() {
        refused(s -> pod(s).put("nodeSelector", Map.of("disk", "ssd")), ".nodeSelector",
                "kubernetes.podspec-nodeselector");
        refused(s -> pod(s).put("securityContext", Map.of("fsGroup", 65532)), ".securityContext",
                "kubernetes.podspec-securitycontext");
        refused(s -> pod(s).put("initContainers", List.of(Map.of("name", "init", "image", "busybox"))),
                ".initContainers", "kubernetes.podspec-init-containers");
        KnativeAdmission withNodeSelector = new KnativeAdmission(
                Set.of("kubernetes.podspec-volumes-emptydir", "kubernetes.podspec-nodeselector"));
        assertThat(violationsOf(withNodeSelector, s -> pod(s).put("nodeSelector", Map.of("disk", "ssd")))).isEmpty();
    }

    @Test
    void podSecurityContextFieldsOutsideTheMaskAreRefusedEvenWithTheFlag() {
        KnativeAdmission withSecurityContext = new KnativeAdmission(
                Set.of("kubernetes.podspec-volumes-emptydir", "kubernetes.podspec-securitycontext"));
        assertThat(violationsOf(withSecurityContext, s -> pod(s).put("securityContext", Map.of("fsGroup", 65532))))
                .isEmpty();
        assertThat(violationsOf(withSecurityContext, s -> pod(s).put("securityContext",
                Map.of("sysctls", List.of(Map.of("name", "net.core.somaxconn", "value", "1024"))))))
                .anySatisfy(v -> assertThat(v).contains("securityContext.sysctls", "must not set"));
    }

    @Test
    void containerFieldsOutsideTheMaskAreRefused() {
        refused(s -> container(s).put("lifecycle", Map.of("preStop", Map.of("exec", Map.of("command", List.of("x"))))),
                "containers[0].lifecycle", "must not set");
        refused(s -> container(s).put("tty", true), "containers[0].tty");
        refused(s -> map(container(s), "securityContext").put("seLinuxOptions", Map.of("level", "s0")),
                "securityContext.seLinuxOptions");
        refused(s -> map(container(s), "securityContext").put("privileged", true), "securityContext.privileged");
        refused(s -> map(map(container(s), "securityContext"), "capabilities").put("add", List.of("NET_ADMIN")),
                "capabilities.add", "kubernetes.containerspec-addcapabilities");
    }

    @Test
    void reservedEnvironmentVariablesAreRefused() {
        for (String name : KnativeAdmission.RESERVED_ENV) {
            refused(s -> list(container(s), "env").add(Map.of("name", name, "value", "x")),
                    name + " is a reserved environment variable");
        }
    }

    @Test
    void envFromTheDownwardApiNeedsTheFieldRefFlag() {
        refused(s -> list(container(s), "env").add(Map.of("name", "POD_NAME",
                "valueFrom", Map.of("fieldRef", Map.of("fieldPath", "metadata.name")))),
                "valueFrom.fieldRef", "kubernetes.podspec-fieldref");
    }

    @Test
    void reservedPortsAndOtherPortNamesOrProtocolsAreRefused() {
        for (int port : KnativeAdmission.RESERVED_PORTS) {
            refused(s -> list(container(s), "ports").get(0).put("containerPort", port),
                    port + " is a reserved port");
        }
        refused(s -> list(container(s), "ports").set(0, Map.of("name", "http", "containerPort", 8080)),
                "Port name http is not allowed");
        refused(s -> list(container(s), "ports").set(0, Map.of("name", "http1", "containerPort", 8080,
                "protocol", "UDP")), "protocol");
        refused(s -> list(container(s), "ports").add(Map.of("containerPort", 9000)),
                "more than one container port");
        refused(s -> list(container(s), "ports").set(0, Map.of("name", "http1", "containerPort", 8080,
                "hostPort", 80)), "ports[0].hostPort", "must not set");
    }

    @Test
    void reservedMountPathsRelativeOrRepeatedPathsAreRefused() {
        for (String path : KnativeAdmission.RESERVED_MOUNT_PATHS) {
            refused(s -> list(container(s), "volumeMounts").get(0).put("mountPath", path + "/"),
                    "mountPath " + path + " is a reserved path");
        }
        refused(s -> list(container(s), "volumeMounts").get(0).put("mountPath", "etc/relay"), "not absolute");
        refused(s -> list(container(s), "volumeMounts").get(1).put("mountPath", "/etc/relay"), "must be unique");
    }

    @Test
    void aWritableMountOfASecretOrConfigMapIsRefused() {
        refused(s -> list(container(s), "volumeMounts").get(1).remove("readOnly"),
                "volumeMounts[1].readOnly", "should be readOnly");
    }

    @Test
    void volumeSourcesOutsideTheMaskOrBehindAnOffFlagAreRefused() {
        refused(s -> list(pod(s), "volumes").get(3).put("hostPath", Map.of("path", "/srv")),
                "expected exactly one");
        refused(s -> list(pod(s), "volumes").set(3, Map.of("name", "tmp", "hostPath", Map.of("path", "/srv"))),
                "volumes[3].hostPath", "kubernetes.podspec-volumes-hostpath");
        refused(s -> list(pod(s), "volumes").set(3, Map.of("name", "tmp", "gcePersistentDisk", Map.of("pdName", "d"))),
                "volumes[3].gcePersistentDisk", "must not set");
        refused(s -> list(pod(s), "volumes").set(3, Map.of("name", "tmp",
                "persistentVolumeClaim", Map.of("claimName", "c"))), "kubernetes.podspec-persistent-volume-claim");
        KnativeAdmission withoutEmptyDir = new KnativeAdmission(Set.of());
        assertThat(violationsOf(withoutEmptyDir, s -> { }))
                .anySatisfy(v -> assertThat(v).contains("emptyDir", "kubernetes.podspec-volumes-emptydir"));
    }

    @Test
    void everyVolumeIsMountedAndEveryMountHasAVolume() {
        refused(s -> list(pod(s), "volumes").add(Map.of("name", "spare", "emptyDir", Map.of())),
                "volume with name spare not mounted");
        refused(s -> list(container(s), "volumeMounts").add(Map.of("name", "ghost", "mountPath", "/srv/ghost")),
                "volumeMount has no matching volume");
    }

    @Test
    void probesNeedOneHandlerOnTheServingPortAndKnativesAggressiveReadinessRules() {
        refused(s -> map(map(container(s), "livenessProbe"), "httpGet").put("port", "metrics"),
                "probe port must match container port http1");
        refused(s -> map(container(s), "readinessProbe").put("tcpSocket", Map.of()), "got both");
        refused(s -> map(container(s), "readinessProbe").put("failureThreshold", 3),
                "failureThreshold is disallowed when periodSeconds is zero");
    }

    @Test
    void queueProxyIsAReservedContainerName() {
        refused(s -> container(s).put("name", "queue-proxy"), "queue-proxy is a reserved container name");
    }
}
