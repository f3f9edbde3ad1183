package dev.relay.images;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What to build and where, from the system properties the images module's pom sets (relay.image.*). */
public record ImageSettings(Path root, Path work, String version, String repository, String tag,
                            Optional<String> registry, Path jdk, List<String> functions) {

    public static ImageSettings fromSystemProperties() {
        return new ImageSettings(
                Path.of(required("relay.image.root")).toAbsolutePath().normalize(),
                Path.of(required("relay.image.work")).toAbsolutePath().normalize(),
                System.getProperty("relay.image.version", "0.1.0-SNAPSHOT"),
                System.getProperty("relay.image.repository", "ghcr.io/relay-dev"),
                System.getProperty("relay.image.tag", "0.1.0"),
                Optional.ofNullable(System.getProperty("relay.image.registry")).map(String::strip)
                        .filter(s -> !s.isEmpty()).map(s -> s.replaceAll("/+$", "")),
                Path.of(System.getProperty("relay.image.jdk", "/usr/lib/jvm/temurin-25-jdk-amd64")),
                Arrays.stream(System.getProperty("relay.image.functions", String.join(",", Probe.FUNCTIONS))
                                .split("[,\\s]+"))
                        .filter(s -> !s.isEmpty()).toList());
    }

    private static String required(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set");
        }
        return value;
    }

    /** The function's Spring Boot executable jar, as its module packages it. */
    public Path execJar(String function) {
        return root.resolve("functions").resolve(function).resolve("target")
                .resolve(function + "-" + version + "-exec.jar");
    }

    /** Where the OCI tarball goes: the function's own target directory. */
    public Path tarball(String function) {
        return root.resolve("functions").resolve(function).resolve("target").resolve("image")
                .resolve(function + ".tar");
    }

    /** The reference knative/kustomization.yaml's images: entry maps relay/<function> to. */
    public String imageReference(String function) {
        return repository + "/" + function + ":" + tag;
    }

    public Optional<String> pushReference(String function) {
        return registry.map(r -> r + "/" + function + ":" + tag);
    }
}
