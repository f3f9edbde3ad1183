package dev.relay.tests.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.relay.tests.manifests.Manifests.Manifest;

/**
 * Proves the validator behind {@link KnativeManifestSchemaTest} can fail: each case takes a real manifest from the
 * repository, breaks it in one place and expects a violation that names the place.
 */
class ManifestValidatorNegativeTest {

    static Path root;
    static ManifestValidator validator;
    static StrictKubernetesModel core;
    static Map<String, Object> trigger;
    static Map<String, Object> functionService;
    static Map<String, Object> configMap;
    static Map<String, Object> kustomization;

    @BeforeAll
    static void load() {
        root = Manifests.repoRoot();
        validator = ManifestValidator.shared();
        core = new StrictKubernetesModel();
        trigger = only(root.resolve("triggers/on-scan-pass-bump.yaml"));
        functionService = only(root.resolve("knative/on-scan-pass-bump/service.yaml"));
        configMap = only(root.resolve("knative/config/relay-config.yaml"));
        kustomization = only(root.resolve("knative/kustomization.yaml"));
        // the originals are valid, so every violation below comes from the one change each test makes
        assertThat(validator.validate(trigger)).isEmpty();
        assertThat(validator.validate(functionService)).isEmpty();
        assertThat(validator.validate(configMap)).isEmpty();
        assertThat(validator.validate(kustomization)).isEmpty();
    }

    static Map<String, Object> only(Path file) {
        List<Manifest> docs = Manifests.parse(file);
        assertThat(docs).hasSize(1);
        return docs.get(0).content();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> doc, String... keys) {
        Object cur = doc;
        for (String k : keys) {
            cur = ((Map<String, Object>) cur).get(k);
        }
        return (Map<String, Object>) cur;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> firstContainer(Map<String, Object> ksvc) {
        return ((List<Map<String, Object>>) map(ksvc, "spec", "template", "spec").get("containers")).get(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void apiServerSourceAgainstTheRealCrdSchemaFailsOnAnUnknownFieldOrAWrongType() {
        Map<String, Object> source = only(root.resolve("knative/job-events/apiserversource.yaml"));
        assertThat(validator.validate(source)).isEmpty();

        Map<String, Object> misspelt = Manifests.deepCopy(source);
        ((List<Map<String, Object>>) map(misspelt, "spec").get("resources")).get(0).put("labelSelector",
                Map.of("matchLabels", Map.of("relay.dev/completion-events", "true")));
        assertThat(validator.validate(misspelt)).anySatisfy(v -> assertThat(v).contains("labelSelector"));

        Map<String, Object> wrongType = Manifests.deepCopy(source);
        map(wrongType, "spec").put("resources", Map.of("apiVersion", "batch/v1", "kind", "Job"));
        assertThat(validator.validate(wrongType)).anySatisfy(v -> assertThat(v).contains("resources"));
    }

    @Test
    void triggerWithAnUnknownFieldUnderSpecFails() {
        // Trigger.spec is x-kubernetes-preserve-unknown-fields in the CRD, and strict here all the same
        Map<String, Object> t = Manifests.deepCopy(trigger);
        map(t, "spec").put("fliter", Map.of("attributes", Map.of("type", "dev.relay.scan.passed")));
        assertThat(validator.validate(t)).anySatisfy(v -> assertThat(v).contains("fliter"));
    }

    @Test
    void triggerWithAnUnknownDeliveryFieldFails() {
        Map<String, Object> t = Manifests.deepCopy(trigger);
        map(t, "spec", "delivery").put("retries", 5);
        assertThat(validator.validate(t)).anySatisfy(v -> assertThat(v).contains("retries"));
    }

    @Test
    void triggerWithAWrongTypeFails() {
        Map<String, Object> t = Manifests.deepCopy(trigger);
        map(t, "spec", "delivery").put("retry", "five");
        assertThat(validator.validate(t)).anySatisfy(v -> assertThat(v).contains("retry"));
    }

    @Test
    void triggerFilterAttributesStayFreeForm() {
        Map<String, Object> t = Manifests.deepCopy(trigger);
        map(t, "spec", "filter", "attributes").put("relayapp", "web-app");
        assertThat(validator.validate(t)).isEmpty();
    }

    @Test
    void triggerWithAnUnknownMetadataFieldFails() {
        Map<String, Object> t = Manifests.deepCopy(trigger);
        map(t, "metadata").put("label", Map.of("a", "b"));
        assertThat(validator.validate(t)).anySatisfy(v -> assertThat(v).contains("label"));
    }

    @Test
    void serviceWithATypoInItsContainerFailsOnBothPaths() {
        Map<String, Object> s = Manifests.deepCopy(functionService);
        Map<String, Object> c = firstContainer(s);
        c.put("readinesProbe", c.remove("readinessProbe"));
        List<String> violations = validator.validate(s);
        assertThat(violations).anySatisfy(v -> assertThat(v).startsWith("CRD schema").contains("readinesProbe"));
        assertThat(violations).anySatisfy(v -> assertThat(v).startsWith("fabric8 PodSpec").contains("readinesProbe"));
    }

    @Test
    void serviceWithATypoInAFreeFormPartOfTheCrdIsCaughtByTheModel() {
        // emptyDir is x-kubernetes-preserve-unknown-fields without properties in the serving CRD (feature-gated)
        Map<String, Object> s = Manifests.deepCopy(functionService);
        List<Map<String, Object>> volumes = new ArrayList<>();
        volumes.add(Map.of("name", "scratch", "emptyDir", Map.of("sizeLimt", "1Gi")));
        map(s, "spec", "template", "spec").put("volumes", volumes);
        List<String> violations = validator.validate(s);
        assertThat(violations).noneSatisfy(v -> assertThat(v).startsWith("CRD schema"));
        assertThat(violations).anySatisfy(v -> assertThat(v).startsWith("fabric8 PodSpec").contains("sizeLimt"));
    }

    @Test
    void serviceWithAnIntOrStringPortAcceptsBothAndRejectsOthers() {
        Map<String, Object> s = Manifests.deepCopy(functionService);
        Map<String, Object> httpGet = map(firstContainer(s), "readinessProbe", "httpGet");
        httpGet.put("port", 8080);
        assertThat(validator.validate(s)).isEmpty();
        httpGet.put("port", "http1");
        assertThat(validator.validate(s)).isEmpty();
        httpGet.put("port", List.of(8080));
        assertThat(validator.validate(s)).anySatisfy(v -> assertThat(v).startsWith("CRD schema").contains("port"));
    }

    @Test
    void serviceWithAnUnknownTopLevelFieldFails() {
        Map<String, Object> s = Manifests.deepCopy(functionService);
        s.put("specs", Map.of());
        assertThat(validator.validate(s)).anySatisfy(v -> assertThat(v).contains("specs"));
    }

    @Test
    void configMapWithAnUnknownTopLevelFieldFails() {
        Map<String, Object> cm = Manifests.deepCopy(configMap);
        cm.put("datta", Map.of("relay.yaml", "relay: {}"));
        assertThat(validator.validate(cm)).anySatisfy(v -> assertThat(v).contains("datta"));
    }

    @Test
    void configMapWithAWrongTypeFails() {
        Map<String, Object> cm = Manifests.deepCopy(configMap);
        cm.put("data", List.of("relay.yaml"));
        assertThat(validator.validate(cm)).isNotEmpty();
    }

    @Test
    void deploymentWithATypoDeepInThePodTemplateFails() {
        Map<String, Object> d = Map.of("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", Map.of("name", "x"),
                "spec", Map.of("selector", Map.of("matchLabels", Map.of("a", "b")),
                        "template", Map.of("metadata", Map.of("labels", Map.of("a", "b")),
                                "spec", Map.of("containers", List.of(Map.of("name", "c", "image", "i",
                                        "securityContext", Map.of("runAsNonRot", true)))))));
        assertThat(validator.validate(d)).anySatisfy(v -> assertThat(v).contains("runAsNonRot"));
    }

    @Test
    void kustomizationWithAnUnknownFieldFails() {
        Map<String, Object> k = Manifests.deepCopy(kustomization);
        k.put("imagess", k.get("images"));
        assertThat(validator.validate(k)).anySatisfy(v -> assertThat(v).contains("imagess"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void kustomizationImageWithABadDigestFails() {
        Map<String, Object> k = Manifests.deepCopy(kustomization);
        ((List<Map<String, Object>>) k.get("images")).get(0).put("digest", "sha256:abc");
        assertThat(validator.validate(k)).anySatisfy(v -> assertThat(v).contains("digest"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFileMissingFromKustomizationResourcesIsFound() throws Exception {
        List<String> resources = new ArrayList<>((List<String>) kustomization.get("resources"));
        resources.remove("broker.yaml");
        assertThat(KnativeManifestSchemaTest.unlisted(root.resolve("knative"), resources)).containsExactly("broker.yaml");
    }

    @Test
    void unknownKindsAreRejected() {
        Map<String, Object> doc = Map.of("apiVersion", "example.com/v1", "kind", "Widget", "metadata", Map.of("name", "w"));
        assertThat(validator.validate(doc)).singleElement().asString().contains("unsupported kind");
        Map<String, Object> knativeKindWithoutCrd = Map.of("apiVersion", "flows.knative.dev/v1", "kind", "Sequence",
                "metadata", Map.of("name", "s"));
        assertThat(validator.validate(knativeKindWithoutCrd)).anySatisfy(v -> assertThat(v).contains("no CRD schema"));
    }

    @Test
    void yamlThatDoesNotParseFails() {
        Path f = root.resolve("triggers/broken.yaml");
        assertThatThrownBy(() -> Manifests.parse(f, "apiVersion: v1\nkind: [ConfigMap\n"))
                .hasMessageContaining("broken.yaml");
        assertThatThrownBy(() -> Manifests.parse(f, "apiVersion: v1\napiVersion: v2\nkind: ConfigMap\n"))
                .hasMessageContaining("broken.yaml");
        assertThatThrownBy(() -> Manifests.parse(f, "- just\n- a list\n")).hasMessageContaining("not a mapping");
    }

    @Test
    void pingSourceSchemaFromTheCopiedCrdsIsStrictToo() {
        // the source CRDs are kept for source kinds Relay may add; prove they load and are strict
        Map<String, Object> ping = Map.of("apiVersion", "sources.knative.dev/v1", "kind", "PingSource",
                "metadata", Map.of("name", "tick"),
                "spec", Map.of("schedule", "*/5 * * * *", "contentType", "application/json", "data", "{}",
                        "sink", Map.of("ref", Map.of("apiVersion", "eventing.knative.dev/v1", "kind", "Broker",
                                "name", "relay"))));
        assertThat(validator.validate(ping)).isEmpty();
        Map<String, Object> typo = Manifests.deepCopy(ping);
        map(typo, "spec").put("shedule", "*/5 * * * *");
        assertThat(validator.validate(typo)).anySatisfy(v -> assertThat(v).contains("shedule"));
    }
}
