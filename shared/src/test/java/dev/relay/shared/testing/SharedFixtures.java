package dev.relay.shared.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The third-party fixtures (real payloads, CRD schemas) kept beside the repository in {@code ../shared/fixtures/}
 * (their origins in {@code SOURCES*.md}); a test that needs one is skipped, saying which, when it is absent.
 */
public final class SharedFixtures {

    private SharedFixtures() {
    }

    /** {@code ../shared/fixtures/<relative>} from the project root; the calling test is skipped when it is absent. */
    public static Path require(String relative) {
        Path file = root().resolveSibling("shared").resolve("fixtures").resolve(relative);
        assumeTrue(Files.exists(file), "third-party fixture ../shared/fixtures/" + relative
                + " is not beside the repository");
        return file;
    }

    public static String read(String relative) {
        try {
            return Files.readString(require(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project root: the nearest directory above the working directory with pom.xml, knative/ and triggers/. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("knative")) && Files.isDirectory(p.resolve("triggers"))
                    && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no directory with knative/ and triggers/ above " + dir);
    }
}
