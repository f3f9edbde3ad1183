package dev.relay.shared.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real producer payloads of {@code ../shared/fixtures/webhooks/} beside the repository (origins in
 * {@code SOURCES-webhooks.md}), read in place, never copied into the project. A test whose fixture set is absent is
 * skipped with an assumption naming the directory.
 */
public final class ProducerFixtures {

    private ProducerFixtures() {
    }

    /** {@code webhooks/<path>} of the shared fixture set, e.g. {@code flux/CONSTRUCTED_dev_sync_t0.json}. */
    public static byte[] webhook(String path) {
        Path file = webhooksDir().resolve(path).normalize();
        assumeTrue(Files.isRegularFile(file), "shared fixture " + file + " is absent");
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String webhookText(String path) {
        return new String(webhook(path), StandardCharsets.UTF_8);
    }

    /** {@code <repository>/../shared/fixtures/webhooks}, found from the working directory (a module or the root). */
    public static Path webhooksDir() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("fixtures").resolve("webhooks");
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        assumeTrue(false, "../shared/fixtures/webhooks not beside the repository (looked above " + dir + ")");
        throw new IllegalStateException("unreachable");
    }
}
