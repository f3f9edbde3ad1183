package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.testing.CloudEventHttp;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** on-image-scan as deployed: its own Spring Boot app, CloudEvents over HTTP, the trivy-cli backend (a test script). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ImageScanHttpTest {

    private static final Path TRIVY = fakeTrivy();

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void pipelines(DynamicPropertyRegistry registry) {
        ScanFixtures.pipeline("web-app", "trivy-cli").forEach((k, v) -> registry.add(k, () -> v));
        registry.add("relay.pipelines.web-app.scan.trivy-cli.path", TRIVY::toString);
        registry.add("relay.pipelines.web-app.scan.policy.name", () -> "web");
    }

    /** A {@code trivy} that prints the golden alpine-3.10 report (4 MEDIUM findings). */
    private static Path fakeTrivy() {
        try {
            Path dir = Files.createTempDirectory("relay-fake-trivy-");
            Path report = Files.writeString(dir.resolve("report.json"), ScanFixtures.golden(ScanFixtures.ALPINE_310));
            Path trivy = Files.writeString(dir.resolve("trivy"), "#!/bin/sh\ncat '" + report + "'\n");
            Files.setPosixFilePermissions(trivy, PosixFilePermissions.fromString("rwx------"));
            dir.toFile().deleteOnExit();
            report.toFile().deleteOnExit();
            trivy.toFile().deleteOnExit();
            return trivy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private URI function() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    @Test
    void shouldAnswerScanPassedOverHttp() {
        CloudEventHttp.Answer answer = CloudEventHttp.post(function(), ScanFixtures.pushed(ScanFixtures.DIGEST));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.ceType()).isEqualTo(RelayEventTypes.SCAN_PASSED);
        assertThat(answer.header("ce-source")).isEqualTo("/relay/on-image-scan");
        assertThat(answer.header("ce-relaytrace")).isEqualTo(ScanFixtures.TRACE);
        assertThat(answer.header("ce-relayapp")).isEqualTo("web-app");
        Map<String, Object> data = answer.json();
        assertThat(data).containsEntry("image", ScanFixtures.IMAGE).containsEntry("digest", ScanFixtures.DIGEST)
                .containsEntry("tag", "1.2.0").containsEntry("policy", "web (fail-on high)")
                .containsEntry("blocking", List.of()).containsEntry("sourceCommit", ScanFixtures.COMMIT)
                .containsEntry("counts", Map.of("critical", 0, "high", 0, "medium", 4, "low", 0, "unknown", 0));
        assertThat(registry.find("relay.scan.verdicts").tag("outcome", "passed").tag("backend", "trivy-cli")
                .counter()).isNotNull().satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
        assertThat(registry.find("relay.scan.findings").tag("severity", "medium").tag("outcome", "passed").counter())
                .isNotNull();
    }

    @Test
    void shouldAnswer202ForAnImageNoPipelineOwnsAndProblemsForBadInput() {
        CloudEventHttp.Answer unowned = CloudEventHttp.post(function(),
                ScanFixtures.pushed("registry.example.com/team/other", "1.0.0", ScanFixtures.DIGEST));
        assertThat(unowned.status()).isEqualTo(202);
        assertThat(unowned.ceType()).isNull();

        CloudEventHttp.Answer badDigest = CloudEventHttp.post(function(),
                ScanFixtures.pushed(ScanFixtures.IMAGE, "1.2.0", "sha256:abc"));
        assertThat(badDigest.status()).isEqualTo(422);
        assertThat(badDigest.header("content-type")).startsWith("application/problem+json");
        assertThat(badDigest.text()).contains("invalid-image-reference").contains("digest");

        CloudEventHttp.Answer badTag = CloudEventHttp.post(function(),
                ScanFixtures.pushed(ScanFixtures.IMAGE, "-bad tag", ScanFixtures.DIGEST));
        assertThat(badTag.status()).isEqualTo(422);

        CloudEventHttp.Answer wrongType = CloudEventHttp.post(function(),
                CloudEventHttp.event(RelayEventTypes.SCAN_PASSED, Map.of("image", "x")).build());
        assertThat(wrongType.status()).isEqualTo(400);
    }
}
