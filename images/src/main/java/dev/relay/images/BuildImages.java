package dev.relay.images;

import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code mvn -B package -Pimages}: one OCI image tarball per function under
 * {@code functions/<function>/target/image/<function>.tar}, named as knative/kustomization.yaml's
 * {@code images:} expects ({@code ghcr.io/relay-dev/<function>:<tag>}); with {@code -Drelay.image.registry=
 * host:port/prefix} also pushed there. No Docker daemon and no base image to pull.
 */
public final class BuildImages {

    private BuildImages() {
    }

    public static void main(String[] args) throws Exception {
        ImageSettings settings = ImageSettings.fromSystemProperties();
        Path work = settings.work();
        Files.createDirectories(work);

        List<ExtractedApp> apps = new ArrayList<>();
        for (String function : settings.functions()) {
            apps.add(ExtractedApp.extract(settings.jdk(), function, settings.execJar(function),
                    work.resolve(function)));
        }
        Set<String> modules = JavaRuntime.modules(settings.jdk(), apps);
        log("runtime modules: " + String.join(",", modules));
        Path runtime = JavaRuntime.jlink(settings.jdk(), modules, work.resolve("java-runtime"));
        Map<String, Path> glibc = HostGlibc.files(runtime);
        log("glibc files from the host: " + String.join(" ", glibc.keySet()));
        FunctionImage.BaseFiles base = FunctionImage.BaseFiles.write(glibc, work.resolve("os"));
        Map<String, String> baseLabels = new LinkedHashMap<>();
        baseLabels.put("dev.relay.java-runtime", javaVersion(runtime) + " (jlink: " + String.join(",", modules) + ")");
        baseLabels.put("dev.relay.glibc", Commands.run(work, List.of("ldd", "--version")).lines().findFirst()
                .orElse("").strip());

        for (ExtractedApp app : apps) {
            String function = app.function();
            Path cache = AotTraining.train(runtime, app, work.resolve(function));
            Map<String, String> labels = new LinkedHashMap<>(baseLabels);
            labels.put("org.opencontainers.image.title", function);
            labels.put("org.opencontainers.image.version", settings.tag());
            labels.put("org.opencontainers.image.description", "Relay function " + function);
            JibContainerBuilder image = FunctionImage.assemble(function, base, runtime, app, cache, labels);
            Path tarball = settings.tarball(function);
            JibContainer built = FunctionImage.toTarball(image, settings.imageReference(function), tarball,
                    work.resolve("jib-cache"));
            log(function + ": " + settings.imageReference(function) + " " + built.getDigest() + " -> " + tarball
                    + " (" + Files.size(tarball) / (1024 * 1024) + " MB, AOT cache "
                    + Files.size(cache) / (1024 * 1024) + " MB)");
            if (settings.pushReference(function).isPresent()) {
                String reference = settings.pushReference(function).get();
                JibContainer pushed = FunctionImage.push(image, reference, work.resolve("jib-cache"));
                log(function + ": pushed " + reference + "@" + pushed.getDigest());
            }
        }
    }

    private static String javaVersion(Path runtime) throws java.io.IOException {
        return Files.readAllLines(runtime.resolve("release")).stream()
                .filter(l -> l.startsWith("JAVA_RUNTIME_VERSION=") || l.startsWith("JAVA_VERSION="))
                .reduce((a, b) -> b).map(l -> l.replaceAll("^[A-Z_]+=\"?|\"$", "")).orElse("25");
    }

    private static void log(String line) {
        System.out.println("[relay-images] " + line);
    }
}
