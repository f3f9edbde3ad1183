package dev.relay.images;

import java.util.ArrayList;
import java.util.List;

/**
 * How the image starts a function, and the same flags for the training run that writes its AOT cache (a
 * cache is only used by a JVM whose flags match the ones it was trained with). C1 only, Serial GC and small
 * thread stacks, as NOTES.md measured for scale-to-zero functions; the heap is a share of the container's
 * memory limit; Spring AOT's generated initializers instead of configuration-class parsing at start.
 */
final class Entrypoint {

    static final String JAVA = "/opt/java/bin/java";
    static final String APP_DIR = "/app";
    static final String AOT_CACHE = "/app/app.aot";

    static final List<String> JVM_FLAGS = List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xss512k",
            "-XX:MaxRAMPercentage=60",
            "-XX:+ExitOnOutOfMemoryError",
            "-Dspring.aot.enabled=true");

    /** What training runs with: a container-like memory bound so the heap is sized as in a pod. */
    static final String TRAINING_MEMORY = "-XX:MaxRAM=512m";

    private Entrypoint() {
    }

    static List<String> of(String function) {
        List<String> command = new ArrayList<>();
        command.add(JAVA);
        command.add("-XX:AOTCache=" + AOT_CACHE);
        command.addAll(JVM_FLAGS);
        command.add("-jar");
        command.add(APP_DIR + "/" + function + ".jar");
        return command;
    }
}
