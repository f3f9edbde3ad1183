package dev.relay.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A function's Spring Boot jar extracted with {@code -Djarmode=tools extract}: {@code <function>.jar}
 * (the application classes, Spring AOT's generated code, a Class-Path manifest) and {@code lib/} (the
 * dependencies: their own image layer, so a code change re-pushes little).
 */
record ExtractedApp(String function, Path dir, Path jar) {

    static ExtractedApp extract(Path jdk, String function, Path execJar, Path dir) throws IOException,
            InterruptedException {
        if (!Files.isRegularFile(execJar)) {
            throw new IOException(execJar + " is missing: package the function first (mvn -B package -Pimages)");
        }
        Dirs.deleteRecursively(dir);
        Files.createDirectories(dir);
        Path named = dir.resolve(function + "-exec.jar");
        Files.copy(execJar, named, StandardCopyOption.REPLACE_EXISTING);
        Path app = dir.resolve("app");
        Commands.run(dir, List.of(jdk.resolve("bin/java").toString(), "-Djarmode=tools", "-jar", named.toString(),
                "extract", "--destination", app.toString()));
        Files.delete(named);
        Path jar = app.resolve(function + "-exec.jar");
        Path renamed = app.resolve(function + ".jar");
        Files.move(jar, renamed);
        FixedTimes.apply(app);
        return new ExtractedApp(function, app, renamed);
    }
}
