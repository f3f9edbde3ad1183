package dev.relay.tests.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the kubelet would give the container of one rendered Knative Service: its environment (with {@code valueFrom}
 * resolved from the rendered ConfigMaps and the Secrets the test created), its args, and its ConfigMap, Secret and
 * emptyDir volumes as files. The only difference from the manifest is where mounts live: each absolute
 * {@code mountPath} maps to a directory under {@code root}, and the same mapping rewrites the environment values and
 * mounted ConfigMap files that name a mount path ({@link #mapping()} says which).
 *
 * @param name      the Service's name
 * @param root      the pod's directory: every mount lives below it, and the process runs in it
 * @param env       the container's environment, mount paths rewritten
 * @param args      the container's args, mount paths rewritten
 * @param mounts    each mountPath of the manifest and the directory it maps to
 */
record ServicePod(String name, Path root, Map<String, String> env, List<String> args, Map<String, Path> mounts) {

    /** Secrets as {@code kubectl create secret generic} makes them: name, then key → value. */
    interface Secrets {
        Optional<Map<String, String>> get(String name);
    }

    static ServicePod of(Map<String, Object> service, RenderedManifests manifests, Secrets secrets, Path root) {
        String name = Yamls.string(service, "metadata", "name");
        Map<String, Object> podSpec = Yamls.map(Yamls.at(service, "spec", "template", "spec"));
        List<Map<String, Object>> containers = Yamls.maps(podSpec.get("containers"));
        if (containers.size() != 1) {
            throw new IllegalStateException("Service " + name + " has " + containers.size() + " containers; "
                    + "the harness starts exactly one");
        }
        Map<String, Object> container = containers.get(0);
        if (container.get("command") != null) {
            throw new IllegalStateException("Service " + name + " overrides the image's command; the harness runs "
                    + "the function's jar as the image's entrypoint does");
        }
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        Yamls.maps(podSpec.get("volumes")).forEach(v -> volumes.put(String.valueOf(v.get("name")), v));

        Path podRoot = root.resolve(name);
        Map<String, Path> mounts = new LinkedHashMap<>();
        Map<String, Map<String, String>> configMapFiles = new LinkedHashMap<>();
        for (Map<String, Object> mount : Yamls.maps(container.get("volumeMounts"))) {
            String mountPath = String.valueOf(mount.get("mountPath"));
            if (mount.get("subPath") != null) {
                throw new IllegalStateException("Service " + name + ": subPath mounts are not supported by the harness");
            }
            Path hostPath = podRoot.resolve(mountPath.replaceFirst("^/+", ""));
            mounts.put(mountPath, hostPath);
            Map<String, Object> volume = Optional.ofNullable(volumes.get(String.valueOf(mount.get("name"))))
                    .orElseThrow(() -> new IllegalStateException("Service " + name + " mounts undeclared volume "
                            + mount.get("name")));
            configMapFiles.put(mountPath, volumeFiles(name, volume, manifests, secrets));
        }
        PathMapping mapping = new PathMapping(mounts);
        mounts.forEach((mountPath, hostPath) -> writeFiles(hostPath, configMapFiles.get(mountPath), mapping));

        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> variable : Yamls.maps(container.get("env"))) {
            env.put(String.valueOf(variable.get("name")), mapping.rewrite(envValue(name, variable, manifests, secrets)));
        }
        List<String> args = Yamls.strings(container.get("args")).stream().map(mapping::rewrite).toList();
        return new ServicePod(name, podRoot, env, args, mounts);
    }

    /** {@code mountPath -> temp dir} lines, for the test's output. */
    String mapping() {
        return mounts.entrySet().stream().map(e -> "  " + name + ": " + e.getKey() + " -> " + e.getValue())
                .collect(Collectors.joining("\n"));
    }

    /** Files of a volume: ConfigMap / Secret keys (or their items' paths); an emptyDir has none. */
    private static Map<String, String> volumeFiles(String service, Map<String, Object> volume,
            RenderedManifests manifests, Secrets secrets) {
        Map<String, Object> configMap = Yamls.map(volume.get("configMap"));
        Map<String, Object> secret = Yamls.map(volume.get("secret"));
        Map<String, String> data;
        List<Map<String, Object>> items;
        if (!configMap.isEmpty()) {
            data = manifests.configMapData(String.valueOf(configMap.get("name")));
            items = Yamls.maps(configMap.get("items"));
        } else if (!secret.isEmpty()) {
            String secretName = String.valueOf(secret.get("secretName"));
            if (Boolean.TRUE.equals(secret.get("optional")) && secrets.get(secretName).isEmpty()
                    && manifests.find("v1", "Secret", secretName).isEmpty()) {
                return Map.of();
            }
            data = secretData(secretName, manifests, secrets);
            items = Yamls.maps(secret.get("items"));
        } else if (volume.get("emptyDir") != null) {
            return Map.of();
        } else {
            throw new IllegalStateException("Service " + service + ": volume " + volume.get("name")
                    + " is neither a ConfigMap, a Secret nor an emptyDir");
        }
        if (items.isEmpty()) {
            return data;
        }
        Map<String, String> files = new LinkedHashMap<>();
        items.forEach(item -> files.put(String.valueOf(item.get("path")), data.get(String.valueOf(item.get("key")))));
        return files;
    }

    private static Map<String, String> secretData(String name, RenderedManifests manifests, Secrets secrets) {
        Optional<Map<String, String>> created = secrets.get(name);
        if (created.isPresent()) {
            return created.get();
        }
        Map<String, Object> rendered = manifests.find("v1", "Secret", name).orElseThrow(() ->
                new IllegalStateException("Secret " + name + " is neither rendered nor created by the test"));
        Map<String, String> data = new LinkedHashMap<>();
        Yamls.map(rendered.get("stringData")).forEach((k, v) -> data.put(k, String.valueOf(v)));
        Yamls.map(rendered.get("data")).forEach((k, v) -> data.put(k,
                new String(Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
        return data;
    }

    private static String envValue(String service, Map<String, Object> variable, RenderedManifests manifests,
            Secrets secrets) {
        if (variable.containsKey("value")) {
            return String.valueOf(variable.get("value"));
        }
        Map<String, Object> from = Yamls.map(variable.get("valueFrom"));
        Map<String, Object> configMapKey = Yamls.map(from.get("configMapKeyRef"));
        Map<String, Object> secretKey = Yamls.map(from.get("secretKeyRef"));
        String value = null;
        if (!configMapKey.isEmpty()) {
            value = manifests.configMapData(String.valueOf(configMapKey.get("name")))
                    .get(String.valueOf(configMapKey.get("key")));
        } else if (!secretKey.isEmpty()) {
            value = secretData(String.valueOf(secretKey.get("name")), manifests, secrets)
                    .get(String.valueOf(secretKey.get("key")));
        }
        if (value == null) {
            throw new IllegalStateException("Service " + service + ": env " + variable.get("name")
                    + " cannot be resolved by the harness: " + variable);
        }
        return value;
    }

    private static void writeFiles(Path dir, Map<String, String> files, PathMapping mapping) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path target = dir.resolve(file.getKey()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IllegalStateException("volume item path escapes its mount: " + file.getKey());
                }
                Files.createDirectories(target.getParent());
                Files.writeString(target, mapping.rewrite(file.getValue()), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces each mount path (a whole path segment, longest first) inside a text by its directory. */
    static final class PathMapping {

        private final Map<String, Path> mounts;
        private final Pattern pattern;

        PathMapping(Map<String, Path> mounts) {
            this.mounts = mounts;
            List<String> paths = new ArrayList<>(mounts.keySet());
            paths.sort(Comparator.comparingInt(String::length).reversed());
            this.pattern = paths.isEmpty() ? null : Pattern.compile("(?<![^\\s=:,\"'])("
                    + paths.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")(?![^/\\s\"',:])");
        }

        String rewrite(String text) {
            if (pattern == null || text == null) {
                return text;
            }
            Matcher matcher = pattern.matcher(text);
            return matcher.replaceAll(match -> Matcher.quoteReplacement(mounts.get(match.group(1)).toString()));
        }
    }
}
