package dev.relay.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * One modification time for every file of the runtime and the application, on the build host and in the
 * image layers. The AOT cache records each classpath jar's mtime and size (and the runtime's modules file)
 * and is refused when they differ, so the files it was trained on and the files in the image must agree.
 */
final class FixedTimes {

    /** Jib's default layer-entry time. */
    static final Instant INSTANT = Instant.ofEpochSecond(1);

    private FixedTimes() {
    }

    static void apply(Path tree) throws IOException {
        try (Stream<Path> paths = Files.walk(tree)) {
            paths.filter(p -> !Files.isSymbolicLink(p)).forEach(p -> {
                try {
                    Files.setLastModifiedTime(p, FileTime.from(INSTANT));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (!Files.getLastModifiedTime(tree, LinkOption.NOFOLLOW_LINKS).toInstant().equals(INSTANT)) {
            throw new IOException("could not set the modification time of " + tree);
        }
    }
}
