package dev.relay.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs each built image the way a container runtime would, without one: the OCI tarball's layers are
 * applied into a directory and its entrypoint runs there under {@code chroot} as the image's user, on a
 * read-only root with a writable /var/tmp as the Knative Services mount it, with
 * {@code -XX:AOTMode=on} (the JVM refuses to start if the AOT cache trained at build time does not match
 * the image's runtime and jars) and Spring AOT on, as in the entrypoint. The function must answer its probe
 * event as it does on a plain JVM, and export its spans to the Zipkin endpoint its environment names. Needs root (chroot); skipped with a message otherwise or when the
 * tarballs were not built.
 */
class FunctionImagesIT {

    private static final ImageSettings SETTINGS = ImageSettings.fromSystemProperties();

    static Stream<String> functions() {
        return SETTINGS.functions().stream();
    }

    @ParameterizedTest
    @MethodSource("functions")
    void imageStartsFromItsAotCacheAsNonRootAndAnswersTheProbe(String function) throws Exception {
        Path tarball = SETTINGS.tarball(function);
        assumeTrue(Files.isRegularFile(tarball), "no image tarball " + tarball + ": run mvn -B package -Pimages");
        assumeTrue("0".equals(Commands.run(Path.of("/"), List.of("id", "-u")).strip()),
                "not root: chroot needs root, image run check skipped");

        Path dir = SETTINGS.work().resolve("check").resolve(function);
        assertThat(Files.readString(Path.of("/proc/self/mountinfo")))
                .as("nothing may still be mounted under %s before it is deleted", dir)
                .doesNotContain(dir.toString());
        Dirs.deleteRecursively(dir);
        OciTarball image = OciTarball.open(tarball, dir.resolve("oci"));
        Path rootfs = image.unpack(dir.resolve("rootfs"));

        assertThat(image.referenceName()).isEqualTo(SETTINGS.imageReference(function));
        assertThat(Files.readString(SETTINGS.root().resolve("knative/kustomization.yaml")))
                .contains("- name: relay/" + function + "\n    newName: " + SETTINGS.repository() + "/" + function
                        + "\n    newTag: " + SETTINGS.tag() + "\n");
        assertThat(image.config().path("User").asText()).isEqualTo("65532:65532");
        assertThat(image.entrypoint()).startsWith("/opt/java/bin/java", "-XX:AOTCache=/app/app.aot")
                .contains("-Dspring.aot.enabled=true", "-XX:+UseSerialGC")
                .endsWith("-jar", "/app/" + function + ".jar");
        assertThat(image.layers()).hasSize(5);
        for (String shell : List.of("bin/sh", "bin/bash", "usr/bin/sh", "bin/busybox")) {
            assertThat(rootfs.resolve(shell)).doesNotExist();
        }

        Path relayYaml = Files.createDirectories(rootfs.resolve("etc/relay")).resolve("relay.yaml");
        Files.writeString(relayYaml, Probe.RELAY_YAML);
        int port = AotTraining.freePort();
        for (String mountpoint : List.of("proc", "dev", "var/tmp")) {
            Files.createDirectories(rootfs.resolve(mountpoint));
        }
        // As the Knative Services run it: read-only root file system, writable /var/tmp, /proc and /dev (the
        // loader finds the launcher's $ORIGIN through /proc/self/exe), all in a private mount namespace. The host
        // shell execs chroot, which execs the entrypoint, so the pid stays the JVM's.
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--", "/bin/sh", "-c",
                "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\""
                        + " && mount -t proc proc \"$0/proc\" && mount --rbind /dev \"$0/dev\""
                        + " && mount -t tmpfs tmpfs \"$0/var/tmp\""
                        + " && exec chroot --userspec=" + FunctionImage.USER + " \"$0\" \"$@\"",
                rootfs.toString()));
        command.addAll(image.entrypoint());
        Path log = dir.resolve("run.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        for (String kv : image.env()) {
            builder.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        // As knative/<function>/service.yaml sets them, plus: fail unless the AOT cache is used, log it, and size
        // the heap for the Services' 512Mi memory limit.
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=/var/tmp -XX:-UsePerfData"
                + " -XX:AOTMode=on -Xlog:aot=info -XX:MaxRAM=512m");
        builder.environment().put("HOME", "/var/tmp");
        builder.environment().put("SPRING_CONFIG_IMPORT", "optional:file:/etc/relay/relay.yaml");
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        builder.environment().put("SERVER_ADDRESS", "127.0.0.1");
        builder.environment().put("K_SINK", "http://127.0.0.1:9/relay-images-check");
        SpanCollector zipkin = SpanCollector.start();
        builder.environment().put("MANAGEMENT_TRACING_EXPORT_ZIPKIN_ENDPOINT", zipkin.endpoint());
        Process jvm = builder.start();
        try {
            Probe probe = Probe.of(function);
            int status = firstAnswer(jvm, port, probe, log);
            assertThat(status).as("probe answer; log " + log).isEqualTo(probe.expectedStatus());
            assertThat(Files.readAllLines(Path.of("/proc", Long.toString(jvm.pid()), "status")))
                    .anySatisfy(line -> assertThat(line).matches("Uid:\\s+65532\\s+65532\\s+65532\\s+65532"));
            assertThat(Files.readString(log)).contains("Opened AOT cache /app/app.aot");
            assertThat(zipkin.awaitSpans(Duration.ofSeconds(30)))
                    .as("spans exported to the Zipkin endpoint set at run time, although Spring AOT fixed the beans "
                            + "at build time; log " + log)
                    .contains("\"serviceName\":\"" + function + "\"");
        } finally {
            zipkin.stop();
            jvm.destroy();
            if (!jvm.waitFor(2, TimeUnit.MINUTES)) {
                jvm.destroyForcibly().waitFor();
            }
        }
    }

    private static int firstAnswer(Process jvm, int port, Probe probe, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            if (!jvm.isAlive()) {
                throw new IOException("the image's JVM exited with " + jvm.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                return AotTraining.send(http, port, probe);
            } catch (ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no answer within 3 minutes:\n" + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }
}
