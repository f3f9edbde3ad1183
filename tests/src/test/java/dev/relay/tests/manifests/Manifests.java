package dev.relay.tests.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Finds the repository's deployment manifests ({@code knative/} and {@code triggers/}) and parses them.
 *
 * <p>YAML is read with SnakeYAML (YAML 1.1, like kubectl's parser), duplicate keys rejected.
 */
final class Manifests {

    /** One YAML document of one file. {@code index} counts documents in the file from 0. */
    record Manifest(Path file, int index, Map<String, Object> content) {

        String apiVersion() {
            return String.valueOf(content.get("apiVersion"));
        }

        String kind() {
            return String.valueOf(content.get("kind"));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> metadata() {
            Object m = content.get("metadata");
            return m instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        }

        String name() {
            return String.valueOf(metadata().get("name"));
        }

        /** Short label for failure messages: {@code knative/broker.yaml#0 Broker/relay}. */
        String label(Path root) {
            return root.relativize(file) + "#" + index + " " + kind() + "/" + name();
        }
    }

    private Manifests() {
    }

    /** The repository root: the nearest directory upward from the working directory with knative/ and triggers/. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("knative")) && Files.isDirectory(p.resolve("triggers"))
                    && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no directory with knative/ and triggers/ above " + dir);
    }

    /**
     * {@code knative/observability/} holds a Grafana dashboard and a PrometheusRule (monitoring.coreos.com), applied
     * on their own with {@code kubectl apply -f} and not part of the Kustomize base: the Prometheus Operator CRDs may
     * be absent. Its own test ({@code dev.relay.tests.observability.ObservabilityQueriesTest}) validates it; the
     * Knative manifest scans here skip it.
     */
    static final String OBSERVABILITY_DIR = "observability";

    /**
     * {@code knative/monitoring/} is a Kustomization of its own with the PodMonitor for Prometheus Operator users
     * ({@code kubectl apply -k knative/monitoring/}), apart from the base for the same reason; {@link PodMonitorTest}
     * validates it.
     */
    static final String MONITORING_DIR = "monitoring";

    /** Whether {@code file} lies in {@code knative/observability/} or {@code knative/monitoring/}, outside the base. */
    static boolean isObservability(Path file) {
        Path normalized = file.toAbsolutePath().normalize();
        for (Path p = normalized.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
            String name = p.getFileName().toString();
            if ((name.equals(OBSERVABILITY_DIR) || name.equals(MONITORING_DIR))
                    && p.getParent().getFileName() != null
                    && p.getParent().getFileName().toString().equals("knative")) {
                return true;
            }
        }
        return false;
    }

    /** Every {@code .yaml}/{@code .yml} file under {@code dir}, sorted; never one in knative/observability/. */
    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !isObservability(p))
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".yaml") || n.endsWith(".yml");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        return new Yaml(new SafeConstructor(options));
    }

    /**
     * Parses every document of a file. Throws (with the file name) on a YAML error, on a document that is not a
     * mapping; empty documents (e.g. a trailing {@code ---}) are skipped.
     */
    static List<Manifest> parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parse(file, text);
    }

    @SuppressWarnings("unchecked")
    static List<Manifest> parse(Path file, String text) {
        List<Manifest> out = new ArrayList<>();
        int index = 0;
        try {
            for (Object doc : yaml().loadAll(text)) {
                if (doc == null) {
                    index++;
                    continue;
                }
                if (!(doc instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException(file + " document " + index + " is not a mapping but "
                            + doc.getClass().getSimpleName());
                }
                out.add(new Manifest(file, index++, (Map<String, Object>) map));
            }
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(file + " does not parse as YAML: " + e.getMessage(), e);
        }
        return out;
    }

    /** Parses every YAML file under the given directories. */
    static List<Manifest> parseAll(List<Path> dirs) {
        List<Manifest> out = new ArrayList<>();
        for (Path dir : dirs) {
            for (Path f : yamlFiles(dir)) {
                out.addAll(parse(f));
            }
        }
        return out;
    }

    /**
     * {@code kubectl kustomize dir}, parsed: what {@code kubectl apply -k dir} would send. Skips the calling test with
     * an assumption message when kubectl is not installed; fails when kustomize fails.
     */
    static List<Manifest> kustomize(Path dir) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("relay-kustomize", ".yaml");
            err = Files.createTempFile("relay-kustomize", ".err");
            Process p;
            try {
                p = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                org.junit.jupiter.api.Assumptions.assumeTrue(false,
                        "kubectl is not installed: cannot render " + dir + " with kubectl kustomize");
                return List.of();
            }
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + dir + " did not finish within 60s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + Files.readString(err));
            }
            return parse(dir.resolve("kustomize-output.yaml"), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            for (Path temp : new Path[] {out, err}) {
                if (temp != null) {
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException ignored) {
                        // a temp file
                    }
                }
            }
        }
    }

    /** Deep copy of a parsed document (maps and lists), for negative tests that mutate a real manifest. */
    @SuppressWarnings("unchecked")
    static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return (T) copy;
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(deepCopy(v)));
            return (T) copy;
        }
        return value;
    }
}
