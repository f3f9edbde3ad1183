package dev.relay.tests.manifests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Validates one parsed manifest document strictly, by kind:
 * <ul>
 * <li>Knative kinds ({@code *.knative.dev}) against the strict form of the real CRD schema ({@link CrdSchemas}); the
 * metadata against fabric8's {@code ObjectMeta}; for a Knative {@code Service}, the revision template's pod spec
 * additionally against fabric8's {@code PodSpec} (the CRD leaves feature-gated podspec parts free-form);</li>
 * <li>Kubernetes core kinds against fabric8's model ({@link StrictKubernetesModel});</li>
 * <li>{@code Kustomization} against {@code schemas/kustomization.schema.json}.</li>
 * </ul>
 * Any other kind is a violation: a new kind must be taught to the validator before it is deployed.
 */
final class ManifestValidator {

    private static ManifestValidator shared;

    /** One instance per test JVM: compiling the serving CRD schema takes a while. */
    static synchronized ManifestValidator shared() {
        if (shared == null) {
            shared = new ManifestValidator();
        }
        return shared;
    }

    private final CrdSchemas crds = new CrdSchemas();
    private final StrictKubernetesModel core = new StrictKubernetesModel();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Schema kustomization;
    private final Schema podMonitor;

    ManifestValidator() {
        kustomization = draft2020("schemas/kustomization.schema.json");
        podMonitor = draft2020("schemas/prometheus-operator/podmonitor.schema.json");
    }

    private Schema draft2020(String resource) {
        try (InputStream in = CrdSchemas.resource(resource)) {
            JsonNode node = json.readTree(in);
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CrdSchemas crds() {
        return crds;
    }

    List<String> validate(Map<String, Object> doc) {
        Object apiVersionValue = doc.get("apiVersion");
        Object kindValue = doc.get("kind");
        if (!(apiVersionValue instanceof String apiVersion) || !(kindValue instanceof String kind)) {
            return List.of("apiVersion and kind must be strings");
        }
        if ("kustomize.config.k8s.io/v1beta1".equals(apiVersion) && "Kustomization".equals(kind)) {
            List<String> out = new ArrayList<>();
            for (Error e : kustomization.validate(json.valueToTree(doc))) {
                out.add("kustomization schema " + e.getInstanceLocation() + ": " + e.getMessage());
            }
            return out;
        }
        if (crds.isKnativeGroup(apiVersion) || crds.knows(apiVersion, kind)) {
            List<String> out = new ArrayList<>(crds.validate(apiVersion, kind, doc));
            if (!doc.containsKey("metadata")) {
                out.add("$.metadata is missing");
            } else {
                out.addAll(core.validateObjectMeta(doc.get("metadata")));
            }
            if ("serving.knative.dev/v1".equals(apiVersion) && "Service".equals(kind)) {
                Object spec = path(doc, "spec", "template", "spec");
                if (spec == null) {
                    out.add("$.spec.template.spec is missing");
                } else {
                    out.addAll(core.validateRevisionPodSpec(spec, "$.spec.template.spec"));
                }
            }
            return out;
        }
        if ("monitoring.coreos.com/v1".equals(apiVersion) && "PodMonitor".equals(kind)) {
            // Without the real CRD at hand (CrdSchemas.extraCrdFiles), the strict subset written for Relay.
            List<String> out = new ArrayList<>();
            for (Error e : podMonitor.validate(json.valueToTree(doc))) {
                out.add("podmonitor schema " + e.getInstanceLocation() + ": " + e.getMessage());
            }
            if (doc.get("metadata") != null) {
                out.addAll(core.validateObjectMeta(doc.get("metadata")));
            }
            return out;
        }
        if (core.knows(apiVersion, kind)) {
            return core.validate(apiVersion, kind, doc);
        }
        return List.of("unsupported kind " + apiVersion + " " + kind
                + ": add a CRD schema (schemas/knative) or a fabric8 model class (StrictKubernetesModel)");
    }

    /** Follows map keys; null when a step is missing or not a map. */
    static Object path(Object node, String... keys) {
        Object cur = node;
        for (String k : keys) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(k);
        }
        return cur;
    }
}
