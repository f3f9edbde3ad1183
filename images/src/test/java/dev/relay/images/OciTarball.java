package dev.relay.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** An OCI image tarball as Jib writes it (oci-layout, index.json, blobs/sha256/...), unpacked with tar. */
record OciTarball(Path dir, String referenceName, JsonNode config, List<Path> layers) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static OciTarball open(Path tarball, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Commands.run(dir, List.of("tar", "-xf", tarball.toString(), "-C", dir.toString()));
        JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
        JsonNode entry = index.path("manifests").path(0);
        JsonNode manifest = JSON.readTree(blob(dir, entry.path("digest").asText()).toFile());
        List<Path> layers = new ArrayList<>();
        manifest.path("layers").forEach(layer -> layers.add(blob(dir, layer.path("digest").asText())));
        return new OciTarball(dir, entry.path("annotations").path("org.opencontainers.image.ref.name").asText(),
                JSON.readTree(blob(dir, manifest.path("config").path("digest").asText()).toFile()).path("config"),
                layers);
    }

    Path indexJson() {
        return dir.resolve("index.json");
    }

    /** Applies the layers in order into a root file system, as a container runtime would. */
    Path unpack(Path rootfs) throws IOException, InterruptedException {
        Files.createDirectories(rootfs);
        for (Path layer : layers) {
            Commands.run(rootfs, List.of("tar", "-xzpf", layer.toString(), "-C", rootfs.toString()));
        }
        return rootfs;
    }

    List<String> entrypoint() {
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        return entrypoint;
    }

    List<String> env() {
        List<String> env = new ArrayList<>();
        config.path("Env").forEach(e -> env.add(e.asText()));
        return env;
    }

    private static Path blob(Path dir, String digest) {
        return dir.resolve("blobs").resolve(digest.replace(':', '/'));
    }
}
