package dev.relay.tests.manifests;

import static dev.relay.tests.manifests.ManifestValidator.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.relay.tests.manifests.Manifests.Manifest;

/**
 * Every YAML document under {@code knative/} and {@code triggers/} parses, validates strictly against the real
 * Knative CRD schemas / the fabric8 Kubernetes model / a strict Kustomization schema (see {@link ManifestValidator}),
 * and follows Relay's deployment policy. Negative cases that prove the validator can fail are in
 * {@link ManifestValidatorNegativeTest}.
 */
class KnativeManifestSchemaTest {

    static final String NAMESPACE = "relay";
    static final String KSVC = "serving.knative.dev/v1";
    static final Set<String> KNATIVE_RESERVED_MOUNT_PATHS = KnativeAdmission.RESERVED_MOUNT_PATHS;

    static Path root;
    static Path knativeDir;
    static Path triggersDir;
    static List<Manifest> knative;
    static List<Manifest> triggers;
    static ManifestValidator validator;

    @BeforeAll
    static void load() {
        root = Manifests.repoRoot();
        knativeDir = root.resolve("knative");
        triggersDir = root.resolve("triggers");
        knative = Manifests.parseAll(List.of(knativeDir));
        triggers = Manifests.parseAll(List.of(triggersDir));
        validator = ManifestValidator.shared();
    }

    static List<Manifest> all() {
        List<Manifest> out = new ArrayList<>(knative);
        out.addAll(triggers);
        return out;
    }

    static List<Manifest> ofKind(List<Manifest> docs, String apiVersion, String kind) {
        return docs.stream().filter(m -> apiVersion.equals(m.apiVersion()) && kind.equals(m.kind())).toList();
    }

    // --- parsing and schemas -------------------------------------------------------------------------------

    @Test
    void everyManifestFileParsesAndHoldsDocuments() {
        List<Path> files = new ArrayList<>(Manifests.yamlFiles(knativeDir));
        files.addAll(Manifests.yamlFiles(triggersDir));
        assertThat(files).as("YAML files under knative/ and triggers/").isNotEmpty();
        for (Path f : files) {
            assertThat(Manifests.parse(f)).as(root.relativize(f) + " holds at least one document").isNotEmpty();
        }
        assertThat(ofKind(knative, "kustomize.config.k8s.io/v1beta1", "Kustomization")).hasSize(1);
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentValidatesStrictly() {
        return all().stream().map(m -> DynamicTest.dynamicTest(m.label(root), () -> {
            List<String> violations = validator.validate(m.content());
            assertTrue(violations.isEmpty(), () -> m.label(root) + " is invalid:\n  " + String.join("\n  ", violations));
        }));
    }

    @Test
    void schemaCopiesAreVerbatimCopiesOfTheSharedFixtures() throws IOException {
        Path fixtures = root.resolveSibling("shared").resolve("fixtures").resolve("knative");
        assumeTrue(Files.isDirectory(fixtures), "shared/fixtures/knative not beside the repository");
        Path copies = root.resolve("tests/src/test/resources/schemas/knative");
        List<Path> copied = Manifests.yamlFiles(copies);
        assertThat(copied).isNotEmpty();
        for (Path copy : copied) {
            Path original = fixtures.resolve(copy.getFileName().toString());
            assertTrue(Files.exists(original), "no fixture for " + copy.getFileName());
            assertThat(Files.readAllBytes(copy)).as(copy.getFileName() + " equals the fixture")
                    .isEqualTo(Files.readAllBytes(original));
        }
        String sources = Files.readString(root.resolve("tests/src/test/resources/schemas/SOURCES.md"));
        for (Path copy : copied) {
            assertThat(sources).as("SOURCES.md records " + copy.getFileName()).contains("knative/" + copy.getFileName());
        }
    }

    /**
     * When kubectl is on the PATH, renders the base with its built-in kustomize and validates the output too: images
     * replaced by the {@code images:} entries, every namespaced object in {@code relay}, every document still strict.
     */
    @Test
    void theRenderedKustomizationIsValidWhenKubectlIsAvailable() throws Exception {
        Path out = Files.createTempFile("relay-kustomize", ".yaml");
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", knativeDir.toString())
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            assumeTrue(false, "kubectl is not installed");
            return;
        }
        assumeTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "kubectl kustomize timed out");
        assertEquals(0, p.exitValue(), "kubectl kustomize knative/ exit code");
        List<Manifest> rendered = Manifests.parse(out);
        Files.deleteIfExists(out);
        assertThat(rendered).hasSize(knative.size() - 1);
        for (Manifest m : rendered) {
            assertThat(validator.validate(m.content())).as("rendered " + m.kind() + "/" + m.name()).isEmpty();
            if (!m.kind().equals("Namespace")) {
                assertEquals(NAMESPACE, m.metadata().get("namespace"), "rendered " + m.kind() + "/" + m.name());
            }
            for (String image : containerImages(m.content())) {
                assertThat(image).as("rendered image").matches("[^/]+\\.[^/]+/.+(:[\\w.-]+|@sha256:[0-9a-f]{64})");
            }
        }
    }

    // --- kustomization ----------------------------------------------------------------------------------------

    @Test
    @SuppressWarnings("unchecked")
    void kustomizationListsEveryFileAndEveryImage() throws IOException {
        Map<String, Object> k = ofKind(knative, "kustomize.config.k8s.io/v1beta1", "Kustomization").get(0).content();
        assertEquals(NAMESPACE, k.get("namespace"), "kustomization namespace");

        List<String> resources = (List<String>) k.get("resources");
        assertThat(unlisted(knativeDir, resources)).as("files under knative/ missing from resources:").isEmpty();
        for (String r : resources) {
            assertTrue(Files.isRegularFile(knativeDir.resolve(r)), "resources entry " + r + " is not a file");
        }

        Set<String> imageNames = ((List<Map<String, Object>>) k.getOrDefault("images", List.of())).stream()
                .map(i -> String.valueOf(i.get("name"))).collect(Collectors.toCollection(TreeSet::new));
        Set<String> used = new TreeSet<>();
        for (Manifest m : knative) {
            for (String image : containerImages(m.content())) {
                used.add(image);
                assertThat(image).as(m.label(root) + ": image is a bare name; tag/digest belong in kustomization images:")
                        .doesNotContain("@").doesNotMatch(".*:[^/]*$");
                assertThat(imageNames).as(m.label(root) + ": image " + image + " is listed in kustomization images:")
                        .contains(image);
            }
        }
        assertThat(used).as("container images in knative/").isNotEmpty();
        assertThat(imageNames).as("kustomization images: entries that no container uses").isEqualTo(used);
    }

    /**
     * Files under {@code dir} (except README.md, kustomization.yaml and knative/observability/) that
     * {@code resources} does not name.
     */
    static Set<String> unlisted(Path dir, List<String> resources) throws IOException {
        return unlisted(dir, resources, true);
    }

    /** Like {@link #unlisted(Path, List)} for a directory that is itself outside the base (knative/monitoring/). */
    static Set<String> unlistedIn(Path dir, List<String> resources) throws IOException {
        return unlisted(dir, resources, false);
    }

    private static Set<String> unlisted(Path dir, List<String> resources, boolean base) throws IOException {
        Set<String> listed = resources == null ? Set.of()
                : resources.stream().map(r -> dir.resolve(r).normalize().toString()).collect(Collectors.toSet());
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !base || !Manifests.isObservability(p)) // applied on its own, see Manifests.OBSERVABILITY_DIR
                    .filter(p -> !p.getFileName().toString().equals("README.md"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .filter(p -> !listed.contains(p.normalize().toString()))
                    .map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Every {@code image} of every item of any {@code containers} / {@code initContainers} list in the document. */
    static List<String> containerImages(Object node) {
        List<String> out = new ArrayList<>();
        collectImages(node, out);
        return out;
    }

    private static void collectImages(Object node, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (("containers".equals(k) || "initContainers".equals(k)) && v instanceof List<?> list) {
                    for (Object c : list) {
                        if (c instanceof Map<?, ?> cm && cm.get("image") != null) {
                            out.add(String.valueOf(cm.get("image")));
                        }
                    }
                }
                collectImages(v, out);
            });
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectImages(v, out));
        }
    }

    // --- policy -----------------------------------------------------------------------------------------------

    @Test
    void everyNamespacedObjectIsInTheRelayNamespace() {
        for (Manifest m : all()) {
            if (m.kind().equals("Namespace") || m.kind().equals("Kustomization") || m.kind().startsWith("Cluster")) {
                continue;
            }
            Object ns = m.metadata().get("namespace");
            if (m.file().startsWith(triggersDir)) {
                // applied with kubectl apply -f, not through kustomize: must say so itself
                assertEquals(NAMESPACE, ns, m.label(root) + " metadata.namespace");
            } else if (ns != null) {
                assertEquals(NAMESPACE, ns, m.label(root) + " metadata.namespace");
            }
        }
        assertThat(ofKind(knative, "v1", "Namespace")).extracting(Manifest::name).containsExactly(NAMESPACE);
    }

    @Test
    void everyKnativeServiceScalesToZeroAndHasRequestsAndLimits() {
        List<Manifest> services = ofKind(knative, KSVC, "Service");
        assertThat(services).isNotEmpty();
        for (Manifest s : services) {
            assertEquals("0", path(s.content(), "spec", "template", "metadata", "annotations",
                    "autoscaling.knative.dev/min-scale"), s.label(root) + " min-scale must be the string \"0\"");
            for (Map<?, ?> c : containers(s)) {
                for (String section : List.of("requests", "limits")) {
                    Object r = path(c, "resources", section);
                    assertThat(r).as(s.label(root) + " container " + c.get("name") + " resources." + section)
                            .isInstanceOf(Map.class);
                    assertThat(((Map<?, ?>) r).keySet().stream().map(String::valueOf).toList())
                            .as(s.label(root) + " resources." + section).contains("cpu", "memory");
                }
                assertNoReservedMountPaths(s, c);
            }
        }
    }

    @Test
    void everyRelayFunctionServiceIsProbedHardenedAndWired() {
        List<Manifest> functions = ofKind(knative, KSVC, "Service").stream()
                .filter(s -> "function".equals(path(s.content(), "metadata", "labels", "app.kubernetes.io/component")))
                .toList();
        assertThat(functions).as("Knative Services labelled app.kubernetes.io/component=function").isNotEmpty();
        Set<String> serviceAccounts = names(ofKind(knative, "v1", "ServiceAccount"));
        Set<String> configMaps = names(ofKind(knative, "v1", "ConfigMap"));
        for (Manifest s : functions) {
            String label = s.label(root);
            Object sa = path(s.content(), "spec", "template", "spec", "serviceAccountName");
            assertThat(serviceAccounts).as(label + " serviceAccountName is a ServiceAccount in knative/").contains((String) sa);
            Object ann = path(s.content(), "spec", "template", "metadata", "annotations");
            assertThat(((Map<?, ?>) ann).get("autoscaling.knative.dev/target")).as(label + " autoscaling target").isNotNull();

            for (Map<?, ?> c : containers(s)) {
                String cl = label + " container " + c.get("name");
                assertEquals("/actuator/health", path(c, "readinessProbe", "httpGet", "path"), cl + " readinessProbe");
                assertEquals("/actuator/health", path(c, "livenessProbe", "httpGet", "path"), cl + " livenessProbe");
                assertEquals(Boolean.TRUE, path(c, "securityContext", "runAsNonRoot"), cl + " runAsNonRoot");
                assertEquals(Boolean.TRUE, path(c, "securityContext", "readOnlyRootFilesystem"), cl + " readOnlyRootFilesystem");
                assertEquals(Boolean.FALSE, path(c, "securityContext", "allowPrivilegeEscalation"), cl + " allowPrivilegeEscalation");
                assertThat(listOfStrings(path(c, "securityContext", "capabilities", "drop"))).as(cl + " drops").contains("ALL");
                assertEquals("RuntimeDefault", path(c, "securityContext", "seccompProfile", "type"), cl + " seccomp");
            }
            // every volume is mounted, every mount has a volume, configMap/secret volumes name objects in knative/
            // (or a Secret created out of band, ManifestPolicies.OUT_OF_BAND_SECRETS, mounted optional)
            List<Map<?, ?>> volumes = listOfMaps(path(s.content(), "spec", "template", "spec", "volumes"));
            Set<String> volumeNames = volumes.stream().map(v -> String.valueOf(v.get("name"))).collect(Collectors.toSet());
            Set<String> mounted = new LinkedHashSet<>();
            for (Map<?, ?> c : containers(s)) {
                for (Map<?, ?> vm : listOfMaps(c.get("volumeMounts"))) {
                    mounted.add(String.valueOf(vm.get("name")));
                }
            }
            assertThat(mounted).as(label + " volumeMounts name declared volumes").isEqualTo(volumeNames);
            for (Map<?, ?> v : volumes) {
                Object cm = path(v, "configMap", "name");
                if (cm != null) {
                    assertThat(configMaps).as(label + " volume " + v.get("name")).contains((String) cm);
                }
                Object secret = path(v, "secret", "secretName");
                if (secret != null) {
                    assertThat(ManifestPolicies.SECRET_KEYS).as(label + " volume " + v.get("name")
                            + " names a Secret documented in docs/install.md").containsKey((String) secret);
                }
            }
        }
    }

    @Test
    void theBrokerAndEveryTriggerDeliverWithRetriesAndADeadLetterSink() {
        Set<String> services = names(ofKind(knative, KSVC, "Service"));
        List<Manifest> brokers = ofKind(knative, "eventing.knative.dev/v1", "Broker");
        assertThat(brokers).extracting(Manifest::name).containsExactly("relay");
        List<Manifest> all = new ArrayList<>(brokers);
        all.addAll(ofKind(triggers, "eventing.knative.dev/v1", "Trigger"));
        for (Manifest m : all) {
            String label = m.label(root);
            Object delivery = path(m.content(), "spec", "delivery");
            assertThat(delivery).as(label + " spec.delivery").isInstanceOf(Map.class);
            Object retry = path(delivery, "retry");
            assertThat(retry).as(label + " delivery.retry").isInstanceOf(Integer.class);
            assertThat((Integer) retry).as(label + " delivery.retry").isPositive();
            assertThat(path(delivery, "backoffPolicy")).as(label + " backoffPolicy").isIn("linear", "exponential");
            Object delay = path(delivery, "backoffDelay");
            assertThat(delay).as(label + " backoffDelay").isInstanceOf(String.class);
            assertThat(Duration.parse((String) delay)).as(label + " backoffDelay").isPositive();
            assertRefIsAKnativeServiceHere(label + " deadLetterSink", path(delivery, "deadLetterSink", "ref"), services);
        }
    }

    @Test
    void triggersHoldOneTriggerPerFileWiredToThisBrokerAndAServiceHere() {
        Set<String> services = names(ofKind(knative, KSVC, "Service"));
        Set<String> brokers = names(ofKind(knative, "eventing.knative.dev/v1", "Broker"));
        List<Path> files = Manifests.yamlFiles(triggersDir);
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            List<Manifest> docs = Manifests.parse(f);
            assertThat(docs).as(root.relativize(f) + " holds exactly one document").hasSize(1);
            Manifest t = docs.get(0);
            assertEquals("eventing.knative.dev/v1 Trigger", t.apiVersion() + " " + t.kind(), t.label(root));
            assertThat(brokers).as(t.label(root) + " spec.broker").contains((String) path(t.content(), "spec", "broker"));
            Object type = path(t.content(), "spec", "filter", "attributes", "type");
            if (type == null) {
                // spec.filters (CloudEvents subscriptions filters): a top-level exact or prefix filter on the type
                type = listOfMaps(path(t.content(), "spec", "filters")).stream()
                        .flatMap(filter -> java.util.stream.Stream.of(filter.get("exact"), filter.get("prefix")))
                        .filter(Map.class::isInstance).map(d -> ((Map<?, ?>) d).get("type"))
                        .filter(java.util.Objects::nonNull).findFirst().orElse(null);
            }
            assertThat(type).as(t.label(root) + " filters on a type").isInstanceOf(String.class);
            assertThat((String) type).matches("dev\\.(relay|knative)\\.[a-z0-9.-]+");
            assertRefIsAKnativeServiceHere(t.label(root) + " subscriber", path(t.content(), "spec", "subscriber", "ref"),
                    services);
        }
        assertThat(triggers.stream().map(Manifest::name).distinct().count()).as("Trigger names are unique")
                .isEqualTo(triggers.size());
    }

    @Test
    void theBaseInstallsNoSecret() {
        assertThat(ManifestPolicies.noSecrets(knative))
                .as("Secrets in knative/").isEmpty();
    }

    @Test
    void theRenderedBaseHoldsNoSecret() {
        List<Manifest> rendered = Manifests.kustomize(knativeDir);
        assertThat(rendered).as("kubectl kustomize knative/").isNotEmpty();
        assertThat(ManifestPolicies.noSecrets(rendered))
                .as("Secrets that kubectl apply -k knative/ would write").isEmpty();
    }

    @Test
    void secretsAreMountedOptionally() {
        assertThat(ManifestPolicies.optionalSecrets(knative))
                .as("mandatory Secret mounts").isEmpty();
    }

    @Test
    void secretVolumesAreReadOnlyAndSecretFilesNameKeysOfTheirSecret() {
        assertThat(ManifestPolicies.secretMounts(knative)).as("Secret mount violations").isEmpty();
    }

    @Test
    void rbacIsLeastPrivilegeAndNamespaced() {
        assertThat(ofKind(knative, ManifestPolicies.RBAC, "Role")).as("Roles in knative/").isNotEmpty();
        assertThat(ManifestPolicies.rbac(knative)).as("RBAC violations").isEmpty();
    }

    @Test
    void apiTokensAreMountedOnlyWhereARoleIsBound() {
        assertThat(ManifestPolicies.apiTokens(knative)).as("API token violations").isEmpty();
    }

    @Test
    void onlyWebhookIngressIsPublic() {
        assertThat(ManifestPolicies.publicRoutes(knative)).as("public route violations").isEmpty();
    }

    @Test
    void sinkBindingsBindAServiceHereToTheBroker() {
        assertThat(ofKind(knative, "sources.knative.dev/v1", "SinkBinding")).extracting(Manifest::name)
                .containsExactlyInAnyOrder("webhook-ingress", "on-image-scan");
        assertThat(ManifestPolicies.sinkBindings(knative)).as("SinkBinding violations").isEmpty();
    }

    @Test
    void theJobEventSourceSendsRelaysBuildAndScanObjectsToTheBrokerWithLeastPrivilege() {
        List<Manifest> sources = ofKind(knative, "sources.knative.dev/v1", "ApiServerSource");
        assertThat(sources).extracting(Manifest::name).containsExactly(ManifestPolicies.JOB_EVENTS);
        assertThat(new CrdSchemas().validate("sources.knative.dev/v1", "ApiServerSource", sources.get(0).content()))
                .as("the real ApiServerSource CRD schema").isEmpty();
        assertThat(ManifestPolicies.jobEventSources(knative)).as("ApiServerSource violations").isEmpty();
        List<Manifest> completionTriggers = triggers.stream()
                .filter(t -> String.valueOf(t.content().get("spec")).contains("dev.knative.apiserver.resource."))
                .toList();
        assertThat(completionTriggers).extracting(Manifest::name)
                .containsExactlyInAnyOrder("on-push-build-build-completed", "on-image-scan-scan-completed");
    }

    @Test
    void theRelayConfigMapHoldsParsableRelayYaml() {
        Manifest cm = ofKind(knative, "v1", "ConfigMap").stream().filter(m -> m.name().equals("relay-config"))
                .findFirst().orElseThrow();
        Object relayYaml = path(cm.content(), "data", "relay.yaml");
        assertThat(relayYaml).isInstanceOf(String.class);
        List<Manifest> docs = Manifests.parse(cm.file().resolveSibling("relay.yaml"), (String) relayYaml);
        assertThat(docs).hasSize(1);
        assertThat(path(docs.get(0).content(), "relay", "pipelines")).as("relay.pipelines").isInstanceOf(Map.class);
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    static void assertRefIsAKnativeServiceHere(String what, Object ref, Set<String> services) {
        assertThat(ref).as(what + ".ref").isInstanceOf(Map.class);
        Map<?, ?> r = (Map<?, ?>) ref;
        assertEquals(KSVC, r.get("apiVersion"), what + ".ref.apiVersion");
        assertEquals("Service", r.get("kind"), what + ".ref.kind");
        assertThat(services).as(what + ".ref.name is a Knative Service in knative/").contains((String) r.get("name"));
        Object ns = r.get("namespace");
        assertTrue(ns == null || NAMESPACE.equals(ns), what + ".ref.namespace");
    }

    static void assertNoReservedMountPaths(Manifest s, Map<?, ?> container) {
        for (Map<?, ?> vm : listOfMaps(container.get("volumeMounts"))) {
            String p = Path.of(String.valueOf(vm.get("mountPath"))).normalize().toString();
            assertThat(KNATIVE_RESERVED_MOUNT_PATHS).as(s.label(root) + " mountPath " + p + " is reserved by Knative")
                    .doesNotContain(p);
        }
    }

    static List<Map<?, ?>> containers(Manifest s) {
        List<Map<?, ?>> out = listOfMaps(path(s.content(), "spec", "template", "spec", "containers"));
        assertThat(out).as(s.label(root) + " containers").isNotEmpty();
        return out;
    }

    static List<Map<?, ?>> listOfMaps(Object o) {
        if (!(o instanceof List<?> l)) {
            return List.of();
        }
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object x : l) {
            if (x instanceof Map<?, ?> m) {
                out.add(m);
            }
        }
        return out;
    }

    static List<String> listOfStrings(Object o) {
        return o instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    static Set<String> names(List<Manifest> docs) {
        return docs.stream().map(Manifest::name).collect(Collectors.toCollection(TreeSet::new));
    }

    static Predicate<Manifest> named(String name) {
        return m -> m.name().equals(name);
    }
}
