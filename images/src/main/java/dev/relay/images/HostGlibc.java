package dev.relay.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The C library files the runtime links against, taken from the build host (Debian 12's glibc, the one this
 * JDK runs on here): {@code ldd} of the launcher and of every native library of the runtime gives the set.
 * Libraries only the desktop parts of java.desktop load (X11, ALSA) are left out: a headless function never
 * loads them. Each file goes into the image under the path the loader looks in, as a regular file.
 */
final class HostGlibc {

    private static final Pattern RESOLVED = Pattern.compile("^\\s*(\\S+)\\s+=>\\s+(/\\S+)\\s+\\(0x");
    private static final Pattern LOADER = Pattern.compile("^\\s*(/\\S*ld-linux\\S*)\\s+\\(0x");
    private static final Pattern DESKTOP_ONLY = Pattern.compile("lib(awt_xawt|jawt|splashscreen|jsound)\\.so");

    private HostGlibc() {
    }

    /** Path in the image → file on the host. */
    static Map<String, Path> files(Path runtime) throws IOException, InterruptedException {
        List<Path> natives;
        try (Stream<Path> walk = Files.walk(runtime)) {
            natives = walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".so") || p.equals(runtime.resolve("bin/java")))
                    .filter(p -> !DESKTOP_ONLY.matcher(p.getFileName().toString()).matches())
                    .toList();
        }
        Set<String> own = natives.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        own.add("libjvm.so");
        Map<String, Path> files = new TreeMap<>();
        for (Path lib : natives) {
            for (String line : Commands.run(runtime, List.of("ldd", lib.toString())).lines().toList()) {
                Matcher loader = LOADER.matcher(line);
                Matcher resolved = RESOLVED.matcher(line);
                if (loader.find()) {
                    files.put(loader.group(1), Path.of(loader.group(1)).toRealPath());
                } else if (resolved.find()) {
                    Path host = Path.of(resolved.group(2));
                    if (host.startsWith(runtime)) {
                        continue;
                    }
                    files.put(host.toString(), host.toRealPath());
                } else if (line.contains("not found") && !own.contains(line.strip().split("\\s+")[0])) {
                    throw new IOException(lib + " needs a library the host does not have: " + line.strip());
                }
            }
        }
        if (files.keySet().stream().noneMatch(p -> p.endsWith("/libc.so.6"))) {
            throw new IOException("ldd found no libc.so.6 for " + runtime + ": is this a glibc host?");
        }
        return files;
    }
}
