package dev.relay.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The image's Java: a jlink'd runtime of the JDK 25 at relay.image.jdk with the modules every function
 * needs. The list is what {@code jdeps --print-module-deps} finds in the functions' jars, plus modules that
 * code reaches only by name (service loaders, JNDI, charsets), which jdeps cannot see.
 */
final class JavaRuntime {

    /** Looked up at run time, so jdeps misses them: TLS/EC, DNS for JNDI, extra charsets, zip file system,
     *  com.sun.management for actuator's process metrics, java.logging (JUL bridges). */
    static final List<String> ALWAYS = List.of("java.logging", "jdk.crypto.ec", "jdk.naming.dns",
            "jdk.charsets", "jdk.zipfs", "jdk.management", "jdk.unsupported");

    private JavaRuntime() {
    }

    static Set<String> modules(Path jdk, List<ExtractedApp> apps) throws IOException, InterruptedException {
        Set<String> modules = new TreeSet<>(ALWAYS);
        for (ExtractedApp app : apps) {
            String deps = Commands.run(app.dir(), List.of(jdk.resolve("bin/jdeps").toString(),
                    "--ignore-missing-deps", "--multi-release", "25", "-q", "--print-module-deps",
                    "--class-path", app.dir().resolve("lib") + "/*", app.jar().toString())).strip();
            String last = deps.lines().reduce((a, b) -> b).orElse("");
            if (!last.matches("[a-z0-9.,]+")) {
                throw new IOException("jdeps gave no module list for " + app.jar() + ":\n" + deps);
            }
            modules.addAll(Arrays.asList(last.split(",")));
        }
        return modules;
    }

    static Path jlink(Path jdk, Set<String> modules, Path output) throws IOException, InterruptedException {
        Dirs.deleteRecursively(output);
        Files.createDirectories(output.getParent());
        List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/jlink").toString(),
                "--add-modules", String.join(",", modules),
                "--strip-debug", "--no-man-pages", "--no-header-files", "--output", output.toString()));
        Commands.run(output.getParent(), command);
        FixedTimes.apply(output);
        return output;
    }
}
