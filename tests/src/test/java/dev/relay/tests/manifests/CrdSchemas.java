package dev.relay.tests.manifests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code openAPIV3Schema} of every served version of the Knative CRDs kept under
 * {@code src/test/resources/schemas/knative/}, turned into strict JSON Schemas (draft 4, the dialect OpenAPI 3.0
 * schemas derive from) and validated with networknt's validator.
 *
 * <h2>How a structural CRD schema becomes a strict JSON Schema</h2>
 * <ul>
 * <li>An object schema that declares {@code properties} gets {@code additionalProperties: false}, <b>even where the
 * CRD also says {@code x-kubernetes-preserve-unknown-fields: true}</b>. Knative puts that flag on {@code Trigger.spec},
 * {@code *.delivery} and the revision template's metadata only to let experimental features through the API server;
 * Knative's own admission webhook then decodes the object into its Go types with unknown fields disallowed, so an
 * unknown field there is still rejected at apply time. Relay's manifests use declared fields only.</li>
 * <li>An object schema with {@code x-kubernetes-preserve-unknown-fields: true} and no {@code properties} is free-form
 * (e.g. {@code filter.attributes}, and the feature-gated podspec parts of a Knative Service such as {@code emptyDir}
 * or the pod {@code securityContext}); those parts are checked separately against fabric8's Kubernetes model.</li>
 * <li>An object schema with neither properties, additionalProperties nor the preserve flag would be pruned to
 * {@code {}} by the API server: it gets {@code additionalProperties: false}, so anything written there fails.</li>
 * <li>{@code x-kubernetes-int-or-string: true} becomes {@code anyOf: [integer, string]}; {@code nullable: true} adds
 * {@code "null"} to the type; {@code x-kubernetes-embedded-resource} declares apiVersion/kind/metadata.</li>
 * <li>At the root, {@code apiVersion}, {@code kind} and {@code metadata} are declared (the API server adds them to
 * every CRD schema); {@code metadata} itself is checked strictly against fabric8's {@code ObjectMeta}.</li>
 * </ul>
 */
final class CrdSchemas {

    static final String RESOURCE_DIR = "schemas/knative";

    private final JsonMapper json = JsonMapper.builder().build();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
    /** "group/version Kind" → compiled strict schema. */
    private final Map<String, Schema> schemas = new HashMap<>();
    private final Map<String, JsonNode> strictTrees = new HashMap<>();

    CrdSchemas() {
        List<Path> files = new ArrayList<>(crdFiles());
        files.addAll(extraCrdFiles());
        for (Path crdFile : files) {
            for (Manifests.Manifest crd : Manifests.parse(crdFile)) {
                if (!"CustomResourceDefinition".equals(crd.kind())) {
                    continue;
                }
                JsonNode tree = json.valueToTree(crd.content());
                JsonNode spec = tree.path("spec");
                String group = spec.path("group").asString();
                String kind = spec.path("names").path("kind").asString();
                for (JsonNode version : spec.path("versions")) {
                    if (!version.path("served").asBoolean(false)) {
                        continue;
                    }
                    JsonNode schema = version.path("schema").path("openAPIV3Schema");
                    if (!schema.isObject()) {
                        throw new IllegalStateException(crdFile + ": " + kind + " " + version.path("name").asString()
                                + " has no openAPIV3Schema");
                    }
                    ObjectNode strict = strict((ObjectNode) schema);
                    String key = key(group + "/" + version.path("name").asString(), kind);
                    strictTrees.put(key, strict);
                    schemas.put(key, registry.getSchema(strict));
                }
            }
        }
        if (schemas.isEmpty()) {
            throw new IllegalStateException("no CRD schema found under classpath:" + RESOURCE_DIR);
        }
    }

    static String key(String apiVersion, String kind) {
        return apiVersion + " " + kind;
    }

    boolean knows(String apiVersion, String kind) {
        return schemas.containsKey(key(apiVersion, kind));
    }

    /** Whether {@code apiVersion}'s group is one that these CRDs define (i.e. the kind should have a schema here). */
    boolean isKnativeGroup(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash > 0 && apiVersion.substring(0, slash).endsWith(".knative.dev");
    }

    JsonNode strictSchema(String apiVersion, String kind) {
        return strictTrees.get(key(apiVersion, kind));
    }

    /** Violations of the strict CRD schema, each as {@code instance path: message}; empty when valid. */
    List<String> validate(String apiVersion, String kind, Map<String, Object> document) {
        Schema schema = schemas.get(key(apiVersion, kind));
        if (schema == null) {
            return List.of("no CRD schema for " + apiVersion + " " + kind + " under " + RESOURCE_DIR
                    + " (copy the CRD there and record it in schemas/SOURCES.md)");
        }
        List<String> out = new ArrayList<>();
        for (Error e : schema.validate(json.valueToTree(document))) {
            out.add("CRD schema " + e.getInstanceLocation() + ": " + e.getMessage());
        }
        return out;
    }

    // --- schema transformation -------------------------------------------------------------------------------

    ObjectNode strict(ObjectNode openApiV3Schema) {
        ObjectNode root = openApiV3Schema.deepCopy();
        ObjectNode props = root.has("properties") ? (ObjectNode) root.get("properties") : root.putObject("properties");
        if (!props.has("apiVersion")) {
            props.putObject("apiVersion").put("type", "string");
        }
        if (!props.has("kind")) {
            props.putObject("kind").put("type", "string");
        }
        // the API server validates metadata itself (CRDs may only restrict name); here fabric8's ObjectMeta does
        props.putObject("metadata").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        root.put("type", "object");
        transform(root);
        return root;
    }

    private void transform(ObjectNode n) {
        boolean preserve = flag(n, "x-kubernetes-preserve-unknown-fields");
        boolean intOrString = flag(n, "x-kubernetes-int-or-string");
        boolean embedded = flag(n, "x-kubernetes-embedded-resource");
        List<String> extensions = new ArrayList<>();
        for (String name : n.propertyNames()) {
            if (name.startsWith("x-kubernetes-")) {
                extensions.add(name);
            }
        }
        extensions.forEach(n::remove);

        if (flag(n, "nullable")) {
            n.remove("nullable");
            if (n.has("type") && n.get("type").isString()) {
                ArrayNode types = n.arrayNode();
                types.add(n.get("type").asString());
                types.add("null");
                n.set("type", types);
            }
        } else {
            n.remove("nullable");
        }
        if (intOrString) {
            n.remove("type");
            if (!n.has("anyOf")) {
                ArrayNode anyOf = n.putArray("anyOf");
                anyOf.addObject().put("type", "integer");
                anyOf.addObject().put("type", "string");
            }
        }
        if (embedded) {
            ObjectNode props = n.has("properties") ? (ObjectNode) n.get("properties") : n.putObject("properties");
            if (!props.has("apiVersion")) {
                props.putObject("apiVersion").put("type", "string");
            }
            if (!props.has("kind")) {
                props.putObject("kind").put("type", "string");
            }
            if (!props.has("metadata")) {
                props.putObject("metadata").put("type", "object");
            }
        }

        if (n.get("properties") instanceof ObjectNode props) {
            for (Map.Entry<String, JsonNode> e : props.properties()) {
                if (e.getValue() instanceof ObjectNode child) {
                    transform(child);
                }
            }
        }
        if (n.get("items") instanceof ObjectNode items) {
            transform(items);
        } else if (n.get("items") instanceof ArrayNode items) {
            items.forEach(i -> {
                if (i instanceof ObjectNode o) {
                    transform(o);
                }
            });
        }
        if (n.get("additionalProperties") instanceof ObjectNode ap) {
            transform(ap);
        }
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            if (n.get(combinator) instanceof ArrayNode arr) {
                arr.forEach(i -> {
                    if (i instanceof ObjectNode o) {
                        transform(o);
                    }
                });
            }
        }
        if (n.get("not") instanceof ObjectNode not) {
            transform(not);
        }

        boolean isObject = "object".equals(n.path("type").asString(null)) || n.has("properties");
        if (isObject && !n.has("additionalProperties")) {
            if (n.has("properties")) {
                n.put("additionalProperties", false);
            } else if (!preserve) {
                n.put("additionalProperties", false);
            }
            // else: preserve-unknown-fields without declared properties = free-form object
        }
    }

    private static boolean flag(ObjectNode n, String name) {
        JsonNode v = n.get(name);
        return v != null && v.isBoolean() && v.booleanValue();
    }

    // --- locating the CRD copies ----------------------------------------------------------------------------------

    /**
     * The Prometheus Operator's CRDs are not copied into this repository; when a directory with them is at hand
     * ({@code -Drelay.extra-crds=DIR}, or {@code ../shared/fixtures/prometheus-operator/} beside the repository),
     * its {@code *.yaml} CRDs are used too, so the PodMonitor is then checked against the real schema.
     */
    static List<Path> extraCrdFiles() {
        String configured = System.getProperty("relay.extra-crds");
        Path dir = configured != null ? Path.of(configured)
                : Manifests.repoRoot().resolveSibling("shared").resolve("fixtures").resolve("prometheus-operator");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> crdFiles() {
        URL url = CrdSchemas.class.getClassLoader().getResource(RESOURCE_DIR);
        if (url == null) {
            throw new IllegalStateException("classpath:" + RESOURCE_DIR + " is missing");
        }
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | java.nio.file.FileSystemNotFoundException e) {
            throw new IllegalStateException("classpath:" + RESOURCE_DIR + " is not a directory: " + url, e);
        }
    }

    static InputStream resource(String path) {
        InputStream in = CrdSchemas.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("classpath:" + path + " is missing");
        }
        return in;
    }
}
