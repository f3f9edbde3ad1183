package dev.relay.ingress;

import static dev.relay.ingress.Webhooks.derived;
import static dev.relay.ingress.Webhooks.fixture;
import static dev.relay.ingress.Webhooks.hmacSha256Hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.ProducerFixtures;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Argo CD Notifications, Flux notification-controller and Alertmanager over HTTP on a random port, forwarding to a
 * fake broker: the fixtures (webhooks/SOURCES.md) become dev.relay.sync.succeeded / dev.relay.metric.breached, or
 * nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class SyncAndAlertWebhooksHttpTest {

    static final String ARGOCD_TOKEN = "argocd-token-4f1e2d3c-do-not-leak";
    static final String FLUX_SECRET = "flux-hmac-8a7b6c5d-do-not-leak";
    static final String ALERTMANAGER_TOKEN = "am-token-1a2b3c4d-do-not-leak";
    static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    static final String FLUX_SHA = "731f7eaddfb6af01cb2173e18f0f75b0ba780ef1";
    static final String GROUP_KEY = "{}/{severity=\"page\"}:{alertname=\"HighErrorRate\"}";
    static final FakeBroker BROKER = new FakeBroker();

    @LocalServerPort
    int port;

    final List<String> bodies = new ArrayList<>();

    @DynamicPropertySource
    static void ingress(DynamicPropertyRegistry registry) {
        registry.add("relay.ingress.sink", () -> BROKER.uri().toString());
        registry.add("relay.ingress.providers.argocd.secret", () -> ARGOCD_TOKEN);
        registry.add("relay.ingress.providers.flux.secret", () -> FLUX_SECRET);
        registry.add("relay.ingress.providers.alertmanager.secret-file",
                () -> WebhookIngressHttpTest.secretFile("alertmanager", ALERTMANAGER_TOKEN + "\n"));
        registry.add("relay.ingress.argocd.applications.web-app-production.app", () -> "web-app");
        registry.add("relay.ingress.argocd.applications.web-app-production.environment", () -> "production");
        registry.add("relay.ingress.flux.objects[apps/Kustomization/webapp].app", () -> "web-app");
        registry.add("relay.ingress.flux.objects[apps/Kustomization/webapp].environment", () -> "staging");
    }

    @BeforeEach
    void resetBroker() {
        BROKER.reset();
    }

    @AfterAll
    static void stopBroker() {
        BROKER.close();
    }

    // --- Argo CD Notifications ------------------------------------------------------------------------------

    @Test
    void shouldForwardRelaysArgoCdTemplateAsSyncSucceededFromTheApplicationLabels() {
        CloudEventHttp.Answer answer = post("/webhooks/argocd", argocd("Bearer " + ARGOCD_TOKEN,
                fixture("argocd/relay-sync-succeeded.json")));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        String id = derivedId("argocd", "argocd", "web-app-staging", SHA, "2026-11-25T10:15:32Z");
        assertThat(answer.json()).containsEntry("forwarded", 1).containsEntry("ids", List.of(id));
        CloudEvent event = single();
        assertThat(event.getType()).isEqualTo(RelayEventTypes.SYNC_SUCCEEDED);
        assertThat(event.getSource()).hasToString("/relay/webhook-ingress");
        assertThat(event.getId()).isEqualTo(id);
        assertThat(event.getExtension(RelayExtensions.TRACE)).isEqualTo(id);
        assertThat(event.getExtension(RelayExtensions.APP)).isEqualTo("web-app");
        assertThat(event.getExtension(RelayExtensions.ENVIRONMENT)).isEqualTo("staging");
        assertThat(EventPayloads.read(event, Payloads.SyncSucceeded.class))
                .isEqualTo(new Payloads.SyncSucceeded("web-app", "staging", SHA, "argocd"));
        assertThat(json(event).path("commit").asString()).isEqualTo(SHA);
    }

    @Test
    void shouldForwardTheSameIdWhenArgoCdRetries() {
        Request request = argocd(ARGOCD_TOKEN, fixture("argocd/relay-sync-succeeded.json"));

        assertThat(post("/webhooks", request).status()).isEqualTo(200);
        assertThat(post("/webhooks", request).status()).isEqualTo(200);

        List<String> ids = BROKER.received().stream().map(CloudEvent::getId).toList();
        assertThat(ids).hasSize(2).containsOnly(ids.get(0)).allMatch(id -> id.startsWith("argocd-"));
    }

    @Test
    void shouldMapAnUnlabelledApplicationByConfiguration() {
        // derived: the template rendered for an Application without Relay labels (Go prints "<no value>")
        byte[] body = unlabelled("web-app-production");

        CloudEventHttp.Answer answer = post("/webhooks/argocd", argocd("Bearer " + ARGOCD_TOKEN, body));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(syncData(single())).isEqualTo(new Payloads.SyncSucceeded("web-app", "production", SHA, "argocd"));
    }

    @Test
    void shouldAnswer422NamingTheSettingForAnUnmappedApplication() {
        CloudEventHttp.Answer answer = post("/webhooks/argocd", argocd("Bearer " + ARGOCD_TOKEN,
                unlabelled("orders-dev")));

        WebhookIngressHttpTest.assertProblem(answer, 422, "unmapped-sync");
        assertThat(answer.text()).contains("relay.ingress.argocd.applications.orders-dev.app")
                .contains("relay.dev/app");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldAcceptAHelmChartVersionAsTheRevisionAndRejectGarbage() {
        byte[] chart = derived("argocd/relay-sync-succeeded.json", SHA, "6.5.0+build.1");
        byte[] garbage = derived("argocd/relay-sync-succeeded.json", SHA, "main; rm -rf /");

        assertThat(post("/webhooks/argocd", argocd(ARGOCD_TOKEN, chart)).status()).isEqualTo(200);
        CloudEventHttp.Answer rejected = post("/webhooks/argocd", argocd(ARGOCD_TOKEN, garbage));

        assertThat(syncData(single()).revision()).isEqualTo("6.5.0+build.1");
        assertThat(json(single()).has("commit")).isFalse();
        WebhookIngressHttpTest.assertProblem(rejected, 422, "invalid-sync");
        assertThat(rejected.text()).contains("[A-Za-z0-9._@:/+-]");
    }

    @Test
    void shouldIgnoreOtherArgoCdEventsAndRejectAWrongToken(CapturedOutput output) {
        CloudEventHttp.Answer other = post("/webhooks/argocd", argocd(ARGOCD_TOKEN,
                derived("argocd/relay-sync-succeeded.json", "\"event\":\"sync-succeeded\"", "\"event\":\"sync-running\"")));
        assertThat(other.json()).containsEntry("forwarded", 0)
                .containsEntry("reason", "argocd event 'sync-running' is not forwarded");

        for (String authorization : new String[] {"Bearer wrong", null}) {
            CloudEventHttp.Answer answer = post("/webhooks", argocd(authorization,
                    fixture("argocd/relay-sync-succeeded.json")));
            WebhookIngressHttpTest.assertProblem(answer, 401, "webhook-unauthorized");
            assertThat(answer.text()).contains("Authorization");
        }
        assertThat(BROKER.received()).isEmpty();
        assertNoSecretIn(output);
    }

    // --- Flux notification-controller -----------------------------------------------------------------------

    @Test
    void shouldForwardASignedKustomizationReconciliationMappedByConfiguration() {
        byte[] body = fluxSucceeded();

        CloudEventHttp.Answer answer = post("/webhooks", flux(body, "sha256=" + hmacSha256Hex(FLUX_SECRET, body), null));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        String id = derivedId("flux", "apps/Kustomization/webapp", "main/" + FLUX_SHA, "2022-10-28T07:26:19Z");
        assertThat(answer.json()).containsEntry("ids", List.of(id));
        CloudEvent event = single();
        assertThat(event.getType()).isEqualTo(RelayEventTypes.SYNC_SUCCEEDED);
        assertThat(event.getExtension(RelayExtensions.ENVIRONMENT)).isEqualTo("staging");
        assertThat(syncData(event)).isEqualTo(new Payloads.SyncSucceeded("web-app", "staging", "main/" + FLUX_SHA,
                "flux"));
        assertThat(json(event).path("commit").asString()).isEqualTo(FLUX_SHA);
    }

    @Test
    void shouldTakeAppAndEnvironmentFromAnnotationMetadataAndAcceptABearerToken() {
        // derived: the current format: prefix stripped, main@sha1:<sha>, annotations event.toolkit.fluxcd.io/relay-*
        byte[] body = derived("flux/providers-generic-event.json",
                "\"kustomize.toolkit.fluxcd.io/revision\": \"main/" + FLUX_SHA + "\"",
                "\"revision\": \"main@sha1:" + FLUX_SHA + "\", \"relay-app\": \"billing\", "
                        + "\"relay-environment\": \"production\"");
        body = succeeded(body);

        CloudEventHttp.Answer answer = post("/webhooks/flux", flux(body, null, "Bearer " + FLUX_SECRET));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        CloudEvent event = single();
        assertThat(syncData(event)).isEqualTo(new Payloads.SyncSucceeded("billing", "production",
                "main@sha1:" + FLUX_SHA, "flux"));
        assertThat(event.getExtension(RelayExtensions.APP)).isEqualTo("billing");
        assertThat(json(event).path("commit").asString()).isEqualTo(FLUX_SHA);
    }

    @Test
    void shouldForwardTheSameIdWhenFluxRetries() {
        byte[] body = fluxSucceeded();
        Request request = flux(body, "sha256=" + hmacSha256Hex(FLUX_SECRET, body), null);

        post("/webhooks", request);
        post("/webhooks", request);

        List<String> ids = BROKER.received().stream().map(CloudEvent::getId).toList();
        assertThat(ids).hasSize(2).containsOnly(ids.get(0));
    }

    @Test
    void shouldIgnoreFluxEventsThatAreNotASuccessfulReconciliation() {
        byte[] verbatim = fixture("flux/providers-generic-event.json");
        byte[] otherReason = derived("flux/providers-generic-event.json", "\"severity\":\"error\",\n  \"reason\": \"ValidationFailed\",",
                "\"severity\":\"info\",\n  \"reason\": \"Progressing\",");
        byte[] source = derived("flux/providers-generic-event.json", "\"kind\": \"Kustomization\"",
                "\"kind\": \"GitRepository\"");

        assertThat(post("/webhooks", signedFlux(verbatim)).json()).containsEntry("forwarded", 0)
                .containsEntry("reason", "flux error events are not forwarded");
        assertThat(post("/webhooks", signedFlux(otherReason)).json())
                .containsEntry("reason", "flux reason 'Progressing' is not forwarded");
        assertThat(post("/webhooks", signedFlux(source)).json())
                .containsEntry("reason", "flux GitRepository events are not forwarded");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRejectAForgedOrMissingFluxSignature(CapturedOutput output) {
        byte[] body = fluxSucceeded();

        CloudEventHttp.Answer forged = post("/webhooks", flux(body, "sha256=" + hmacSha256Hex("nope", body), null));
        CloudEventHttp.Answer missing = post("/webhooks", flux(body, null, null));
        CloudEventHttp.Answer wrongToken = post("/webhooks", flux(body, null, "Bearer nope"));

        WebhookIngressHttpTest.assertProblem(forged, 401, "webhook-unauthorized");
        assertThat(forged.text()).contains("X-Signature");
        WebhookIngressHttpTest.assertProblem(missing, 401, "webhook-unauthorized");
        assertThat(missing.text()).contains("X-Signature").contains("Authorization");
        WebhookIngressHttpTest.assertProblem(wrongToken, 401, "webhook-unauthorized");
        assertThat(BROKER.received()).isEmpty();
        assertNoSecretIn(output);
    }

    @Test
    void shouldSkipAnUnmappedHelmReleaseWith200NamingTheSetting() {
        // derived: the documented event as a successful HelmRelease reconciliation of chart version 6.5.0
        byte[] body = succeeded(derived("flux/providers-generic-event.json",
                "\"kustomize.toolkit.fluxcd.io/revision\": \"main/" + FLUX_SHA + "\"", "\"revision\": \"6.5.0\""));
        body = new String(body, StandardCharsets.UTF_8).replace("\"kind\": \"Kustomization\"", "\"kind\": \"HelmRelease\"")
                .getBytes(StandardCharsets.UTF_8);

        CloudEventHttp.Answer answer = post("/webhooks", signedFlux(body));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("forwarded", 0);
        assertThat((String) answer.json().get("reason")).startsWith("skipped: ")
                .contains("relay.ingress.flux.objects[apps/HelmRelease/webapp]")
                .contains("event.toolkit.fluxcd.io/relay-app");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldSkipAKustomizationWithoutRelaysAnnotationsOnEveryReconcileAndCountIt() {
        byte[] body = ProducerFixtures.webhook("flux/CONSTRUCTED_kustomization_unannotated.json");

        CloudEventHttp.Answer first = post("/webhooks/flux", signedFlux(body));
        CloudEventHttp.Answer again = post("/webhooks/flux", signedFlux(body));

        for (CloudEventHttp.Answer answer : List.of(first, again)) {
            assertThat(answer.status()).as(answer.text()).isEqualTo(200);
            assertThat(answer.json()).containsEntry("forwarded", 0).containsEntry("reason", "skipped: flux "
                    + "apps/Kustomization/infra names no Relay app (annotate it event.toolkit.fluxcd.io/relay-app and "
                    + "event.toolkit.fluxcd.io/relay-environment, or configure "
                    + "relay.ingress.flux.objects[apps/Kustomization/infra].app and .environment)");
        }
        assertThat(BROKER.received()).isEmpty();
        assertThat(CloudEventHttp.get(uri("/actuator/prometheus")).text()).containsPattern(
                "relay_events_total\\{function=\"webhook-ingress\",outcome=\"ignored\","
                        + "type=\"flux:ReconciliationSucceeded\"} [2-9]");
    }

    @Test
    void shouldTakeTheCommitOfAnOciSourcedKustomizationFromItsOriginRevision() {
        byte[] body = ProducerFixtures.webhook("flux/CONSTRUCTED_kustomization_oci_source_revision.json");

        CloudEventHttp.Answer answer = post("/webhooks/flux", signedFlux(body));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        CloudEvent event = single();
        assertThat(syncData(event)).isEqualTo(new Payloads.SyncSucceeded("web-app", "staging",
                "latest@sha256:" + "3b".repeat(32), "flux"));
        assertThat(json(event).path("commit").asString()).isEqualTo("9f8b0e930b14d51d2bee85e4646e9467cad85c48");
    }

    @Test
    void shouldForwardEachReNotificationOfOneRevisionWithItsOwnIdAndTheSameCommit() {
        List<String> ids = new ArrayList<>();
        for (String name : List.of("t0", "t0_plus_10m", "t0_plus_20m", "after_relay_ledger_commit")) {
            CloudEventHttp.Answer answer = post("/webhooks/flux",
                    signedFlux(ProducerFixtures.webhook("flux/CONSTRUCTED_dev_sync_" + name + ".json")));
            assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        }

        List<CloudEvent> events = BROKER.received();
        events.forEach(event -> ids.add(event.getId()));
        assertThat(ids).doesNotHaveDuplicates().hasSize(4);
        assertThat(events).extracting(event -> json(event).path("commit").asString()).containsExactly(
                "ee7e552c59ed4340e7cb527954901312ea607448", "ee7e552c59ed4340e7cb527954901312ea607448",
                "ee7e552c59ed4340e7cb527954901312ea607448", "5ad059081b492543b54ee088c6bfce14032805d7");
        assertThat(events).extracting(event -> syncData(event).environment()).containsOnly("development");
    }

    // --- Alertmanager ---------------------------------------------------------------------------------------

    @Test
    void shouldForwardOneMetricBreachedPerAppAndEnvironment() {
        CloudEventHttp.Answer answer = post("/webhooks", alertmanager("Bearer " + ALERTMANAGER_TOKEN,
                fixture("alertmanager/firing-message.json")));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        String webApp = derivedId("alertmanager", GROUP_KEY, "5a1b7c3d9e2f4a60", "2026-11-25T10:00:07.123Z");
        String api = derivedId("alertmanager", GROUP_KEY, "9f8e7d6c5b4a3921", "2026-11-25T10:02:00Z");
        assertThat(answer.json()).containsEntry("forwarded", 2).containsEntry("ids", List.of(webApp, api));
        List<CloudEvent> events = BROKER.received();
        assertThat(events).extracting(CloudEvent::getType).containsOnly(RelayEventTypes.METRIC_BREACHED);
        assertThat(events).extracting(CloudEvent::getId).containsExactly(webApp, api);
        assertThat(metricData(events.get(0))).isEqualTo(new Payloads.MetricBreached("web-app", "production",
                "HighErrorRate", 0.0712, 0.01));
        assertThat(events.get(0).getExtension(RelayExtensions.ENVIRONMENT)).isEqualTo("production");
        assertThat(metricData(events.get(1))).isEqualTo(new Payloads.MetricBreached("api", "staging",
                "HighErrorRate", null, null));
        assertThat(json(events.get(0)).path("fingerprint").asString()).isEqualTo("5a1b7c3d9e2f4a60");
    }

    @Test
    void shouldForwardTheSameIdsWhenAlertmanagerRenotifies() {
        Request request = alertmanager(ALERTMANAGER_TOKEN, fixture("alertmanager/firing-message.json"));

        post("/webhooks/alertmanager", request);
        // derived: the next notification of the still-firing group, with the web-app alerts listed in another order
        String text = new String(fixture("alertmanager/firing-message.json"), StandardCharsets.UTF_8);
        JsonNode message = EventPayloads.mapper().readTree(text);
        tools.jackson.databind.node.ArrayNode alerts = (tools.jackson.databind.node.ArrayNode) message.get("alerts");
        JsonNode first = alerts.remove(0);
        alerts.add(first);
        post("/webhooks/alertmanager", alertmanager(ALERTMANAGER_TOKEN, EventPayloads.mapper().writeValueAsBytes(message)));

        List<String> ids = BROKER.received().stream().map(CloudEvent::getId).toList();
        assertThat(ids).hasSize(4);
        assertThat(ids.subList(2, 4)).containsExactlyInAnyOrderElementsOf(ids.subList(0, 2));
    }

    @Test
    void shouldForwardNothingForResolvedAlerts() {
        byte[] resolved = derived("alertmanager/firing-message.json", "\"receiver\":\"relay\",\"status\":\"firing\"",
                "\"receiver\":\"relay\",\"status\":\"resolved\"");
        // derived: a firing message whose only alert with Relay labels is the resolved one
        String text = new String(fixture("alertmanager/firing-message.json"), StandardCharsets.UTF_8)
                .replace("\"relay_app\":\"web-app\",\"relay_environment\":\"production\",", "")
                .replace("\"environment\":\"staging\",", "");

        CloudEventHttp.Answer whole = post("/webhooks", alertmanager(ALERTMANAGER_TOKEN, resolved));
        CloudEventHttp.Answer partly = post("/webhooks", alertmanager(ALERTMANAGER_TOKEN,
                text.getBytes(StandardCharsets.UTF_8)));

        assertThat(whole.json()).containsEntry("forwarded", 0).containsEntry("reason", "resolved: nothing to forward");
        assertThat(partly.status()).isEqualTo(200);
        assertThat(partly.json()).containsEntry("forwarded", 0).containsEntry("reason",
                "no firing alert names a Relay app and environment among 4 alerts (1 resolved, 3 without the labels "
                        + "relay_app/service and relay_environment/environment, 0 invalid)");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldSkipAnAlertWithAnInvalidAppLabelAndForwardTheRest() {
        byte[] body = derived("alertmanager/firing-message.json", "\"service\":\"api\"", "\"service\":\"Api_Service\"");

        CloudEventHttp.Answer answer = post("/webhooks", alertmanager(ALERTMANAGER_TOKEN, body));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("forwarded", 1).containsEntry("rejected", 1);
        assertThat((List<?>) answer.json().get("rejectedReasons")).singleElement().asString()
                .startsWith("alerts[2] (fingerprint 9f8e7d6c5b4a3921): app 'Api_Service'");
        assertThat(metricData(single()).app()).isEqualTo("web-app");
    }

    @Test
    void shouldRejectAWrongAlertmanagerToken(CapturedOutput output) {
        for (String authorization : new String[] {"Bearer " + ALERTMANAGER_TOKEN + "x", null}) {
            WebhookIngressHttpTest.assertProblem(post("/webhooks", alertmanager(authorization,
                    fixture("alertmanager/firing-message.json"))), 401, "webhook-unauthorized");
        }
        assertThat(BROKER.received()).isEmpty();
        assertNoSecretIn(output);
    }

    // --- helpers --------------------------------------------------------------------------------------------

    record Request(Map<String, String> headers, byte[] body) {
    }

    static Request argocd(String authorization, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Go-http-client/1.1");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return new Request(headers, body);
    }

    static Request flux(byte[] body, String signature, String authorization) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Gotk-Component", "kustomize-controller");
        headers.put("User-Agent", "Go-http-client/1.1");
        if (signature != null) {
            headers.put("X-Signature", signature);
        }
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return new Request(headers, body);
    }

    static Request signedFlux(byte[] body) {
        return flux(body, "sha256=" + hmacSha256Hex(FLUX_SECRET, body), null);
    }

    static Request alertmanager(String authorization, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Alertmanager/0.28.1");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return new Request(headers, body);
    }

    /** Derived: the documented Flux event as an info ReconciliationSucceeded. */
    static byte[] fluxSucceeded() {
        return succeeded(fixture("flux/providers-generic-event.json"));
    }

    static byte[] succeeded(byte[] event) {
        String text = new String(event, StandardCharsets.UTF_8);
        String original = "\"severity\":\"error\",\n  \"reason\": \"ValidationFailed\",";
        assertThat(text).contains(original);
        return text.replace(original, "\"severity\":\"info\",\n  \"reason\": \"ReconciliationSucceeded\",")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Derived: Relay's template rendered for Application {@code name} without the relay.dev labels. */
    static byte[] unlabelled(String name) {
        return new String(fixture("argocd/relay-sync-succeeded.json"), StandardCharsets.UTF_8)
                .replace("\"application\":\"web-app-staging\"", "\"application\":\"" + name + "\"")
                .replace("\"relayApp\":\"web-app\"", "\"relayApp\":\"<no value>\"")
                .replace("\"relayEnvironment\":\"staging\"", "\"relayEnvironment\":\"<no value>\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    CloudEventHttp.Answer post(String path, Request request) {
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(uri(path), request.headers, request.body);
        bodies.add(answer.text());
        return answer;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    CloudEvent single() {
        assertThat(BROKER.received()).hasSize(1);
        return BROKER.received().get(0);
    }

    static Payloads.SyncSucceeded syncData(CloudEvent event) {
        return EventPayloads.read(event, Payloads.SyncSucceeded.class);
    }

    static Payloads.MetricBreached metricData(CloudEvent event) {
        return EventPayloads.read(event, Payloads.MetricBreached.class);
    }

    static JsonNode json(CloudEvent event) {
        return EventPayloads.mapper().readTree(event.getData().toBytes());
    }

    /** The id an adapter derives, computed independently: producer-, then 32 hex of SHA-256 over NUL-ended parts. */
    static String derivedId(String producer, String... parts) {
        StringBuilder joined = new StringBuilder();
        for (String part : parts) {
            joined.append(part).append('\0');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(joined.toString().getBytes(StandardCharsets.UTF_8));
            return producer + "-" + HexFormat.of().formatHex(hash).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void assertNoSecretIn(CapturedOutput output) {
        for (String secret : List.of(ARGOCD_TOKEN, FLUX_SECRET, ALERTMANAGER_TOKEN)) {
            assertThat(output.getAll()).doesNotContain(secret);
            assertThat(bodies).noneMatch(body -> body.contains(secret));
        }
    }
}
