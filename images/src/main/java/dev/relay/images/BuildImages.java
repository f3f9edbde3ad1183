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
        Path runtime = JavaRuntime.jlink(settings.jdk(), modules, runtime(settings));
        log("glibc files from the host: " + String.join(" ", HostGlibc.files(runtime).keySet()));

        for (ExtractedApp app : apps) {
            String function = app.function();
            Path cache = AotTraining.train(runtime, app, work.resolve(function));
            JibContainerBuilder image = image(settings, function);
            Path tarball = settings.tarball(function);
            JibContainer built = FunctionImage.toTarball(image, settings.imageReference(function), tarball,
                    jibCache(settings));
            log(function + ": " + settings.imageReference(function) + " " + built.getDigest() + " -> " + tarball
                    + " (" + Files.size(tarball) / (1024 * 1024) + " MB, AOT cache "
                    + Files.size(cache) / (1024 * 1024) + " MB)");
            if (settings.pushReference(function).isPresent()) {
                String reference = settings.pushReference(function).get();
                JibContainer pushed = FunctionImage.push(image, reference, jibCache(settings));
                log(function + ": pushed " + reference + "@" + pushed.getDigest());
            }
        }
    }

    /**
     * The image of a function whose runtime, extracted app and trained cache are already in the work directory:
     * the same inputs give the same image digest (fixed file times, creation time at the epoch).
     */
    static JibContainerBuilder image(ImageSettings settings, String function) throws Exception {
        Path runtime = runtime(settings);
        Path appDir = settings.work().resolve(function).resolve("app");
        ExtractedApp app = new ExtractedApp(function, appDir, appDir.resolve(function + ".jar"));
        FunctionImage.BaseFiles base = FunctionImage.BaseFiles.write(HostGlibc.files(runtime),
                settings.work().resolve("os"));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", function);
        labels.put("org.opencontainers.image.version", settings.tag());
        labels.put("org.opencontainers.image.description", "Relay function " + function);
        labels.put("dev.relay.java-runtime", javaVersion(runtime));
        labels.put("dev.relay.glibc", Commands.run(settings.work(), List.of("ldd", "--version")).lines().findFirst()
                .orElse("").strip());
        return FunctionImage.assemble(function, base, runtime, app, appDir.resolve("app.aot"), labels);
    }

    static Path runtime(ImageSettings settings) {
        return settings.work().resolve("java-runtime");
    }

    static Path jibCache(ImageSettings settings) {
        return settings.work().resolve("jib-cache");
    }

    /** "25.0.3+9-LTS (java.base java.logging ...)" from the jlink'd runtime's release file. */
    private static String javaVersion(Path runtime) throws java.io.IOException {
        Map<String, String> release = new LinkedHashMap<>();
        for (String line : Files.readAllLines(runtime.resolve("release"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                release.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^\"|\"$", ""));
            }
        }
        return release.getOrDefault("JAVA_RUNTIME_VERSION", release.getOrDefault("JAVA_VERSION", "25"))
                + " (" + release.getOrDefault("MODULES", "") + ")";
    }

    private static void log(String line) {
        System.out.println("[relay-images] " + line);
    }
}
