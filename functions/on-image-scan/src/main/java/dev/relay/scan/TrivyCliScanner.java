package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code trivy-cli}: runs the {@code trivy} binary on this machine ({@code trivy-cli.path}, a file or a name on
 * {@code PATH}) with {@link TrivyArgs}, within {@code trivy-cli.timeout}. Output goes to temp files (a pipe could
 * fill up and block Trivy). A missing binary, a non-zero exit, a timeout or unreadable output are
 * {@link ScanOutcome.Errored} naming what to do: no report, no verdict.
 */
public final class TrivyCliScanner implements Scanner {

    private final Map<String, String> environment;

    public TrivyCliScanner() {
        this(System.getenv());
    }

    TrivyCliScanner(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public ScanOutcome scan(ScanRequest request) {
        RelayProperties.TrivyCli config = request.config().trivyCli();
        Optional<Path> binary = resolve(config.path());
        if (binary.isEmpty()) {
            return new ScanOutcome.Errored("trivy-cli: the Trivy binary '" + config.path() + "' was not found"
                    + (config.path().contains("/") ? "" : " on PATH") + "; install Trivy (https://trivy.dev),"
                    + " set relay.pipelines." + request.app() + ".scan.trivy-cli.path to it, or choose another"
                    + " scan.backend (trivy-job in a cluster, harbor)");
        }
        List<String> command = new ArrayList<>();
        command.add(binary.get().toString());
        command.addAll(TrivyArgs.of(request.reference(), config.server()));
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("relay-trivy-", ".json");
            err = Files.createTempFile("relay-trivy-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            if (config.dockerConfig() != null) {
                builder.environment().put("DOCKER_CONFIG", config.dockerConfig().toString());
            }
            if (config.cacheDir() != null) {
                builder.environment().put("TRIVY_CACHE_DIR", config.cacheDir().toString());
            }
            Process process = builder.start();
            if (!process.waitFor(config.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return new ScanOutcome.Errored("trivy-cli: " + binary.get() + " did not finish within "
                        + config.timeout().toSeconds() + "s (trivy-cli.timeout); stderr: " + OutputTail.of(read(err)));
            }
            int exit = process.exitValue();
            if (exit != 0) {
                return new ScanOutcome.Errored("trivy-cli: " + binary.get() + " exited with " + exit + ": "
                        + OutputTail.of(read(err)));
            }
            try {
                return new ScanOutcome.Reported(TrivyReportParser.parse(read(out)), binary.get().toString());
            } catch (ScanReportException e) {
                return new ScanOutcome.Errored("trivy-cli: " + e.getMessage());
            }
        } catch (IOException e) {
            return new ScanOutcome.Errored("trivy-cli: cannot run " + binary.get() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw dev.relay.shared.http.EventRetryableException.unavailable("interrupted",
                    "Interrupted while scanning", "on-image-scan is shutting down; redeliver the event.", e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /** The binary: a path (must be an executable file) or a name found in a {@code PATH} directory. */
    Optional<Path> resolve(String path) {
        if (path.contains("/") || path.contains(File.separator)) {
            Path file = Path.of(path);
            return Files.isRegularFile(file) && Files.isExecutable(file) ? Optional.of(file) : Optional.empty();
        }
        String searchPath = environment.getOrDefault("PATH", "");
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, path);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }
}
