package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.kubernetes.KubernetesAccess;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** trivy-cli with no Trivy installed, and with a test executable named {@code trivy} that prints a golden report. */
class TrivyCliScannerTest {

    @TempDir
    Path dir;

    @Test
    void shouldAnswerErroredNamingTheMissingBinaryAndTheAlternatives() {
        Path missing = dir.resolve("no-such-dir/trivy");
        CloudEvent answer = function(missing.toString(), "5m").apply(ScanFixtures.pushed(ScanFixtures.DIGEST));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        assertThat(answer.getSource()).hasToString("/relay/on-image-scan");
        Map<String, Object> data = ScanFixtures.data(answer);
        assertThat((String) data.get("reason")).contains("'" + missing + "' was not found")
                .contains("relay.pipelines.web-app.scan.trivy-cli.path").contains("trivy-job").contains("harbor");
        assertThat(data).doesNotContainKeys("counts", "blocking").containsEntry("sourceCommit", ScanFixtures.COMMIT);
    }

    @Test
    void shouldNotFindANameThatIsOnNoPathDirectory() {
        TrivyCliScanner scanner = new TrivyCliScanner(Map.of("PATH", dir.toString()));
        assertThat(scanner.resolve("trivy")).isEmpty();
        ScanOutcome outcome = scanner.scan(TrivyJobFactoryTest.request(pipeline("trivy", "5m"), ScanFixtures.DIGEST));
        assertThat(outcome).isInstanceOfSatisfying(ScanOutcome.Errored.class,
                errored -> assertThat(errored.reason()).contains("'trivy' was not found on PATH"));
    }

    @Test
    void shouldJudgeTheReportOfATrivyOnPath() throws IOException {
        Path report = dir.resolve("report.json");
        Files.writeString(report, ScanFixtures.golden(ScanFixtures.DEBIAN_BUSTER));
        Path args = dir.resolve("args.txt");
        Path trivy = script("trivy", "printf '%s\\n' \"$@\" > '" + args + "'\ncat '" + report + "'\n");
        assertThat(new TrivyCliScanner(Map.of("PATH", "/nonexistent:" + dir)).resolve("trivy")).contains(trivy);

        CloudEvent answer = function(trivy.toString(), "5m").apply(ScanFixtures.pushed(ScanFixtures.DIGEST));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_FAILED);
        assertThat(ScanFixtures.data(answer)).containsEntry("blocking", List.of("CVE-2019-18224"))
                .containsEntry("counts", Map.of("critical", 1, "high", 0, "medium", 0, "low", 1, "unknown", 0));
        assertThat(Files.readAllLines(args)).containsExactly("image", "--format", "json", "--quiet", "--no-progress",
                ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST);
    }

    @Test
    void shouldPassACleanReport() throws IOException {
        Path report = dir.resolve("report.json");
        Files.writeString(report, ScanFixtures.golden(ScanFixtures.DISTROLESS_BASE));
        Path trivy = script("trivy", "cat '" + report + "'\n");

        CloudEvent answer = function(trivy.toString(), "5m").apply(ScanFixtures.pushed(ScanFixtures.DIGEST));

        assertThat(answer.getType()).isEqualTo(RelayEventTypes.SCAN_PASSED);
        assertThat(ScanFixtures.data(answer)).containsEntry("blocking", List.of())
                .containsEntry("policy", "default (fail-on high)");
    }

    @Test
    void shouldAnswerErroredOnANonZeroExitAndOnATimeout() throws IOException {
        Path failing = script("trivy-fails", "echo 'FATAL unable to find the specified image' >&2\nexit 1\n");
        CloudEvent failed = function(failing.toString(), "5m").apply(ScanFixtures.pushed(ScanFixtures.DIGEST));
        assertThat(failed.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        assertThat((String) ScanFixtures.data(failed).get("reason")).contains("exited with 1")
                .contains("unable to find the specified image");

        Path hanging = script("trivy-hangs", "exec sleep 30\n");
        CloudEvent timedOut = function(hanging.toString(), "300ms").apply(ScanFixtures.pushed(ScanFixtures.DIGEST));
        assertThat(timedOut.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
        assertThat((String) ScanFixtures.data(timedOut).get("reason")).contains("did not finish within");

        Path garbage = script("trivy-garbage", "echo 'not json'\n");
        CloudEvent unreadable = function(garbage.toString(), "5m").apply(ScanFixtures.pushed(ScanFixtures.DIGEST));
        assertThat(unreadable.getType()).isEqualTo(RelayEventTypes.SCAN_ERRORED);
    }

    private Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static Map<String, String> pipeline(String path, String timeout) {
        Map<String, String> p = new HashMap<>(ScanFixtures.pipeline("web-app", "trivy-cli"));
        p.put("relay.pipelines.web-app.scan.trivy-cli.path", path);
        p.put("relay.pipelines.web-app.scan.trivy-cli.timeout", timeout);
        return p;
    }

    private static ImageScanFunction function(String path, String timeout) {
        KubernetesAccess none = new KubernetesAccess(() -> null, ImageScanFunction.WITHOUT_CLUSTER, Map.of(),
                Path.of("/nonexistent"), Path.of("/nonexistent"));
        return new ImageScanFunction(ScanFixtures.bind(pipeline(path, timeout)), none,
                new ScanMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }
}
