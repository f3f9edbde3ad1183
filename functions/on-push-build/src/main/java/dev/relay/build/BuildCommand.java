package dev.relay.build;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the local build command in the checkout: stdout and stderr merged, streamed to the log line by line (with the
 * caller's MDC, so each line carries the relaytrace), the last lines kept for the failure event; killed with its
 * child processes when it outlives its timeout.
 */
public final class BuildCommand {

    public static final int TAIL_LINES = 50;
    private static final Logger log = LoggerFactory.getLogger(BuildCommand.class);

    /**
     * @param exitCode the exit code; -1 when it timed out
     * @param tail     the last {@link #TAIL_LINES} lines of output
     */
    public record Result(int exitCode, boolean timedOut, List<String> tail) {

        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        public String tailText() {
            return String.join("\n", tail);
        }
    }

    private BuildCommand() {
    }

    public static Result run(List<String> command, Path directory, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process = builder.start();
        Deque<String> tail = new ArrayDeque<>();
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Thread pump = new Thread(() -> pump(process, tail, mdc), "build-output");
        pump.setDaemon(true);
        pump.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        // A grandchild that kept the pipe open must not hold the build: stop waiting for output after a while.
        pump.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (tail) {
            return new Result(finished ? process.exitValue() : -1, !finished, List.copyOf(tail));
        }
    }

    private static void pump(Process process, Deque<String> tail, Map<String, String> mdc) {
        if (mdc != null) {
            MDC.setContextMap(mdc);
        }
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.info("build | {}", line);
                synchronized (tail) {
                    tail.addLast(line.length() > 2000 ? line.substring(0, 2000) + "…" : line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            log.debug("build output closed: {}", e.toString());
        } finally {
            MDC.clear();
        }
    }
}
