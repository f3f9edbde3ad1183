package dev.relay.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.testing.CloudEventHttp;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which pipeline owns a pushed image, and what input is refused before anything runs. */
class ScanPlannerTest {

    private final ScanPlanner planner = new ScanPlanner(ScanFixtures.bind(twoApps()));

    @Test
    void shouldScanByDigestForTheOwningPipeline() {
        ScanPlan plan = planner.plan(ScanFixtures.pushed(ScanFixtures.DIGEST));
        assertThat(plan).isInstanceOfSatisfying(ScanPlan.Scan.class, scan -> {
            assertThat(scan.request().app()).isEqualTo("web-app");
            assertThat(scan.request().reference()).isEqualTo(ScanFixtures.IMAGE + "@" + ScanFixtures.DIGEST);
            assertThat(scan.request().tag()).isEqualTo("1.2.0");
            assertThat(scan.request().trace()).isEqualTo(ScanFixtures.TRACE);
            assertThat(scan.request().backendName()).isEqualTo("trivy-cli");
        });
    }

    @Test
    void shouldSkipAnImageNoPipelineOwns() {
        assertThat(planner.plan(ScanFixtures.pushed("registry.example.com/team/unknown", "1.0", ScanFixtures.DIGEST)))
                .isInstanceOfSatisfying(ScanPlan.Skip.class,
                        skip -> assertThat(skip.reason()).contains("registry.example.com/team/unknown"));
    }

    @Test
    void shouldRequireRelayappToAgreeWithTheImage() {
        var event = CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED, new Payloads.ImagePushed(ScanFixtures.IMAGE,
                "1.2.0", ScanFixtures.DIGEST, "registry.example.com", null));
        assertThat(planner.plan(event.withExtension(RelayExtensions.APP, "web-app").build()))
                .isInstanceOf(ScanPlan.Scan.class);
        assertThatThrownBy(() -> planner.plan(event.withExtension(RelayExtensions.APP, "api").build()))
                .isInstanceOfSatisfying(EventRejectedException.class,
                        e -> assertThat(e.problemType()).isEqualTo("image-not-owned"));
        assertThatThrownBy(() -> planner.plan(event.withExtension(RelayExtensions.APP, "nope").build()))
                .isInstanceOfSatisfying(EventRejectedException.class,
                        e -> assertThat(e.problemType()).isEqualTo("unknown-app"));
    }

    @Test
    void shouldRejectInvalidReferencesWith422() {
        assertThatThrownBy(() -> planner.plan(ScanFixtures.pushed(ScanFixtures.IMAGE, "1.2.0", "latest")))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.detail()).startsWith("digest ");
                });
        assertThatThrownBy(() -> planner.plan(ScanFixtures.pushed("Registry.example.com/Team/App", "1", ScanFixtures.DIGEST)))
                .isInstanceOf(EventRejectedException.class);
        assertThatThrownBy(() -> planner.plan(ScanFixtures.pushed(ScanFixtures.IMAGE, "a b", ScanFixtures.DIGEST)))
                .isInstanceOf(EventRejectedException.class);
        assertThat(planner.plan(ScanFixtures.pushed(ScanFixtures.IMAGE, null, ScanFixtures.DIGEST)))
                .isInstanceOf(ScanPlan.Scan.class);
    }

    @Test
    void shouldRefuseAnImageTwoPipelinesShareWithoutRelayapp() {
        Map<String, String> p = twoApps();
        p.put("relay.pipelines.api.image", ScanFixtures.IMAGE);
        ScanPlanner shared = new ScanPlanner(ScanFixtures.bind(p));
        assertThatThrownBy(() -> shared.plan(ScanFixtures.pushed(ScanFixtures.DIGEST)))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.problemType()).isEqualTo("ambiguous-app");
                    assertThat(e.detail()).contains("[api, web-app]");
                });
    }

    private static Map<String, String> twoApps() {
        Map<String, String> p = new HashMap<>(ScanFixtures.pipeline("web-app", "trivy-cli"));
        p.putAll(ScanFixtures.pipeline("api", "trivy-job"));
        return p;
    }
}
