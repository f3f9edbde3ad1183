package dev.relay.tests.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** What {@code kubectl kustomize knative/} renders, as a cluster would receive it with {@code kubectl apply -k}. */
final class RenderedManifests {

    private final List<Map<String, Object>> documents;

    private RenderedManifests(List<Map<String, Object>> documents) {
        this.documents = List.copyOf(documents);
    }

    /** The repository root: the nearest directory upward from the working directory with knative/ and triggers/. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("knative")) && Files.isDirectory(p.resolve("triggers"))
                    && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no directory with knative/ and triggers/ above " + Path.of("").toAbsolutePath());
    }

    /** Renders {@code knative/}; the test is skipped (with the reason) only when kubectl is not installed. */
    static RenderedManifests render(Path knativeDir) throws IOException, InterruptedException {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", knativeDir.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "kubectl is not installed (needed to render knative/ with kubectl kustomize): "
                    + e.getMessage());
            throw e;
        }
        CompletableFuture<byte[]> errors = CompletableFuture.supplyAsync(() -> readAll(kubectl.getErrorStream()));
        String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kubectl.waitFor(120, TimeUnit.SECONDS)) {
            kubectl.destroyForcibly();
            throw new IllegalStateException("kubectl kustomize " + knativeDir + " did not finish in 120 s");
        }
        if (kubectl.exitValue() != 0) {
            throw new IllegalStateException("kubectl kustomize " + knativeDir + " failed: "
                    + new String(errors.join(), StandardCharsets.UTF_8));
        }
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (document instanceof Map<?, ?> map) {
                documents.add(Yamls.stringKeys(map));
            }
        }
        return new RenderedManifests(documents);
    }

    List<Map<String, Object>> ofKind(String apiGroup, String kind) {
        return documents.stream()
                .filter(d -> kind.equals(d.get("kind")) && String.valueOf(d.get("apiVersion")).startsWith(apiGroup))
                .toList();
    }

    Optional<Map<String, Object>> find(String apiGroup, String kind, String name) {
        return ofKind(apiGroup, kind).stream().filter(d -> name.equals(Yamls.at(d, "metadata", "name"))).findFirst();
    }

    /** The rendered Knative Services ({@code serving.knative.dev} Service). */
    List<Map<String, Object>> knativeServices() {
        return ofKind("serving.knative.dev/", "Service");
    }

    /** The {@code data} of a rendered ConfigMap. */
    Map<String, String> configMapData(String name) {
        Map<String, Object> configMap = find("v1", "ConfigMap", name).orElseThrow(() ->
                new IllegalStateException("the rendered manifests have no ConfigMap " + name));
        Map<String, String> data = new java.util.LinkedHashMap<>();
        Yamls.map(configMap.get("data")).forEach((k, v) -> data.put(k, String.valueOf(v)));
        return data;
    }

    /**
     * The same manifests with one ConfigMap's {@code data} edited, as a platform engineer adapts the shipped example
     * (e.g. relay-config's pipelines) before applying.
     */
    RenderedManifests withConfigMapData(String name, String key, String value) {
        List<Map<String, Object>> edited = new ArrayList<>();
        for (Map<String, Object> document : documents) {
            if ("ConfigMap".equals(document.get("kind")) && name.equals(Yamls.at(document, "metadata", "name"))) {
                Map<String, Object> copy = new java.util.LinkedHashMap<>(document);
                Map<String, Object> data = new java.util.LinkedHashMap<>(Yamls.map(document.get("data")));
                data.put(key, value);
                copy.put("data", data);
                edited.add(copy);
            } else {
                edited.add(document);
            }
        }
        return new RenderedManifests(edited);
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
