package dev.relay.tests.support;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The real parts an end-to-end chain in relay-local stands on: a scanner stand-in and a Kubernetes API. */
public final class ChainFixtures {

    private ChainFixtures() {
    }

    /**
     * A {@code trivy} stand-in in {@code work} that prints the real Trivy golden report {@code golden} (a resource
     * under {@code /trivy/}), as the real binary would for the scanned image. Made once per work directory.
     */
    public static Path trivyPrinting(Path work, String golden) {
        Path script = work.resolve("trivy-" + golden.replace(".json.golden", ""));
        if (Files.exists(script)) {
            return script;
        }
        try (InputStream report = ChainFixtures.class.getResourceAsStream("/trivy/" + golden)) {
            if (report == null) {
                throw new IllegalArgumentException("no Trivy golden /trivy/" + golden + " on the test class path");
            }
            Path json = Files.write(work.resolve(golden), report.readAllBytes());
            Files.writeString(script, "#!/bin/sh\ncat '" + json + "'\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The relay.yaml properties of pipeline {@code app} in relay-local: {@code image} built into the config repository
     * at {@code configRepoUrl}, its {@code environments} in order (each pinning digests at the overlay
     * {@code overlayPath} names, verified in namespace {@code <app>-<environment>} with a 5 s deadline), scanned by
     * the Trivy CLI at {@code trivy}.
     */
    public static void verifiedPipeline(Map<String, String> properties, String app, String image,
            String configRepoUrl, List<String> environments, UnaryOperator<String> overlayPath, Path trivy) {
        String prefix = "relay.pipelines." + app + ".";
        properties.put(prefix + "image", image);
        properties.put(prefix + "config-repo.url", configRepoUrl);
        for (int i = 0; i < environments.size(); i++) {
            String env = prefix + "environments[" + i + "].";
            properties.put(env + "name", environments.get(i));
            properties.put(env + "path", overlayPath.apply(environments.get(i)));
            properties.put(env + "pin-digest", "true");
            properties.put(env + "verify.namespace", app + "-" + environments.get(i));
            properties.put(env + "verify.deadline", "5s");
            properties.put(env + "verify.poll-interval", "100ms");
        }
        properties.put(prefix + "scan.backend", "trivy-cli");
        properties.put(prefix + "scan.trivy-cli.path", trivy.toString());
    }

    /** A file under {@code work} holding {@code value} and a newline, as {@code kubectl create secret} mounts it. */
    public static Path secretFile(Path work, String name, String value) {
        try {
            Path file = Files.createDirectories(work.resolve("secrets")).resolve(name);
            Files.writeString(file, value + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fabric8 mock Kubernetes API in CRUD mode, started. */
    public static KubernetesMockServer startCrudCluster() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        return server;
    }
}
