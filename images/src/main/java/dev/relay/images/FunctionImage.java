package dev.relay.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Assembles one function's image from scratch with jib-core, OCI format, base layers first so that the
 * runtime and the dependencies are shared by every function's image and a code change re-pushes only the
 * small application and AOT-cache layers:
 * <ol>
 *   <li>{@code os}: glibc from the host, /etc/passwd and /etc/group with the non-root user 65532, /tmp</li>
 *   <li>{@code java-runtime}: the jlink'd Java 25 at /opt/java</li>
 *   <li>{@code dependencies}: /app/lib</li>
 *   <li>{@code application}: /app/&lt;function&gt;.jar (with Spring AOT's generated classes)</li>
 *   <li>{@code aot-cache}: /app/app.aot, trained at build time on exactly these files</li>
 * </ol>
 * No shell, no package manager. Every entry carries {@link FixedTimes#INSTANT}.
 */
final class FunctionImage {

    static final String USER = "65532:65532";

    private FunctionImage() {
    }

    static JibContainerBuilder assemble(String function, BaseFiles base, Path runtime, ExtractedApp app,
                                        Path aotCache, Map<String, String> labels) throws Exception {
        FileEntriesLayer.Builder os = FileEntriesLayer.builder().setName("os");
        base.glibc().forEach((inImage, host) -> os.addEntry(host, AbsoluteUnixPath.get(inImage),
                FilePermissions.fromOctalString("755"), FixedTimes.INSTANT));
        os.addEntry(base.passwd(), AbsoluteUnixPath.get("/etc/passwd"), FilePermissions.fromOctalString("644"),
                FixedTimes.INSTANT);
        os.addEntry(base.group(), AbsoluteUnixPath.get("/etc/group"), FilePermissions.fromOctalString("644"),
                FixedTimes.INSTANT);
        os.addEntry(base.nsswitch(), AbsoluteUnixPath.get("/etc/nsswitch.conf"),
                FilePermissions.fromOctalString("644"), FixedTimes.INSTANT);
        if (base.glibcCopyright().isPresent()) {
            os.addEntry(base.glibcCopyright().get(), AbsoluteUnixPath.get("/usr/share/doc/libc6/copyright"),
                    FilePermissions.fromOctalString("644"), FixedTimes.INSTANT);
        }
        // Jib's permissions are 9 bits: /tmp is 777 without the sticky bit (one user in the container).
        os.addEntry(base.emptyDir(), AbsoluteUnixPath.get("/tmp"), FilePermissions.fromOctalString("777"),
                FixedTimes.INSTANT);
        os.addEntry(base.emptyDir(), AbsoluteUnixPath.get("/home/nonroot"), FilePermissions.fromOctalString("755"),
                FixedTimes.INSTANT, USER);

        return Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .addFileEntriesLayer(os.build())
                .addFileEntriesLayer(tree("java-runtime", runtime, "/opt/java"))
                .addFileEntriesLayer(tree("dependencies", app.dir().resolve("lib"), Entrypoint.APP_DIR + "/lib"))
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("application")
                        .addEntry(app.jar(), AbsoluteUnixPath.get(Entrypoint.APP_DIR + "/" + function + ".jar"),
                                FilePermissions.fromOctalString("644"), FixedTimes.INSTANT).build())
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("aot-cache")
                        .addEntry(aotCache, AbsoluteUnixPath.get(Entrypoint.AOT_CACHE),
                                FilePermissions.fromOctalString("644"), FixedTimes.INSTANT).build())
                .setEntrypoint(Entrypoint.of(function))
                .setUser(USER)
                .setWorkingDirectory(AbsoluteUnixPath.get(Entrypoint.APP_DIR))
                .setEnvironment(Map.of("JAVA_HOME", "/opt/java", "LANG", "C.UTF-8"))
                .addExposedPort(Port.tcp(8080))
                .setLabels(labels);
    }

    private static FileEntriesLayer tree(String name, Path source, String target) throws java.io.IOException {
        return FileEntriesLayer.builder().setName(name)
                .addEntryRecursive(source, AbsoluteUnixPath.get(target),
                        (file, inImage) -> FilePermissions.fromOctalString(
                                Files.isDirectory(file) || Files.isExecutable(file) && !file.toString().endsWith(".jar")
                                        ? "755" : "644"),
                        (file, inImage) -> FixedTimes.INSTANT)
                .build();
    }

    static JibContainer toTarball(JibContainerBuilder image, String reference, Path tarball, Path cache)
            throws Exception {
        Files.createDirectories(tarball.getParent());
        return image.containerize(caches(Containerizer.to(TarImage.at(tarball).named(reference)), cache));
    }

    static JibContainer push(JibContainerBuilder image, String reference, Path cache) throws Exception {
        ImageReference ref = ImageReference.parse(reference);
        CredentialRetrieverFactory credentials = CredentialRetrieverFactory.forImage(ref, event -> { });
        RegistryImage target = RegistryImage.named(ref);
        for (CredentialRetriever retriever : List.of(credentials.dockerConfig(),
                credentials.wellKnownCredentialHelpers())) {
            target.addCredentialRetriever(retriever);
        }
        return image.containerize(caches(Containerizer.to(target), cache).setAllowInsecureRegistries(loopback(ref)));
    }

    /** Plain HTTP only for a registry on this machine (e.g. a test registry on 127.0.0.1:5000). */
    static boolean loopback(ImageReference ref) {
        String host = ref.getRegistry().replaceFirst(":\\d+$", "");
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    }

    private static Containerizer caches(Containerizer containerizer, Path cache) {
        return containerizer.setBaseImageLayersCache(cache.resolve("base"))
                .setApplicationLayersCache(cache.resolve("application"))
                .setToolName("relay-images");
    }

    /** The files of the os layer, written once per build. */
    record BaseFiles(Map<String, Path> glibc, Path passwd, Path group, Path nsswitch, Optional<Path> glibcCopyright,
                     Path emptyDir) {

        static BaseFiles write(Map<String, Path> glibc, Path dir) throws java.io.IOException {
            Files.createDirectories(dir);
            Path passwd = Files.writeString(dir.resolve("passwd"), """
                    root:x:0:0:root:/root:/sbin/nologin
                    nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
                    """);
            Path group = Files.writeString(dir.resolve("group"), """
                    root:x:0:
                    nonroot:x:65532:
                    """);
            Path nsswitch = Files.writeString(dir.resolve("nsswitch.conf"), """
                    passwd: files
                    group: files
                    hosts: files dns
                    """);
            Path empty = Files.createDirectories(dir.resolve("empty"));
            Path copyright = Path.of("/usr/share/doc/libc6/copyright");
            FixedTimes.apply(dir);
            return new BaseFiles(glibc, passwd, group, nsswitch,
                    Files.isRegularFile(copyright) ? Optional.of(copyright) : Optional.empty(), empty);
        }
    }
}
