package dev.relay.ingress;

import static dev.relay.ingress.Webhooks.derived;
import static dev.relay.ingress.Webhooks.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.net.URI;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * Harbor (default and CloudEvents formats) and distribution registry notifications over HTTP on a random port,
 * forwarding to a fake broker: real payloads (webhooks/SOURCES.md) become dev.relay.image.pushed, or nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class RegistryWebhooksHttpTest {

    static final String HARBOR_SECRET = "harbor-auth-3e8b5a1c-do-not-leak";
    static final String DISTRIBUTION_TOKEN = "registry-token-9d7f2c4b-do-not-leak";
    static final String DISTRIBUTION = "application/vnd.docker.distribution.events.v1+json";
    static final String SCAN_REASON = "scan reports are read by on-image-scan's harbor backend";
    static final FakeBroker BROKER = new FakeBroker();

    @LocalServerPort
    int port;

    final List<String> bodies = new ArrayList<>();

    @DynamicPropertySource
    static void ingress(DynamicPropertyRegistry registry) {
        registry.add("relay.ingress.sink", () -> BROKER.uri().toString());
        registry.add("relay.ingress.providers.harbor.secret", () -> HARBOR_SECRET);
        registry.add("relay.ingress.providers.distribution.secret-file",
                () -> WebhookIngressHttpTest.secretFile("distribution", DISTRIBUTION_TOKEN + "\n"));
    }

    @BeforeEach
    void resetBroker() {
        BROKER.reset();
    }

    @AfterAll
    static void stopBroker() {
        BROKER.close();
    }

    // --- Harbor, default format ------------------------------------------------------------------------------

    @Test
    void shouldForwardHarborPushArtifactWithTheRawAuthHeader() {
        byte[] body = fixture("harbor/push-artifact.json");

        CloudEventHttp.Answer answer = post(harbor(HARBOR_SECRET, body));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        String id = "harbor-sha256-" + sha256Hex(body);
        assertThat(answer.json()).containsEntry("forwarded", 1).containsEntry("ids", List.of(id));
        CloudEvent event = single();
        assertThat(event.getType()).isEqualTo(RelayEventTypes.IMAGE_PUSHED);
        assertThat(event.getSource()).hasToString("/relay/webhook-ingress");
        assertThat(event.getId()).isEqualTo(id);
        assertThat(event.getExtension(RelayExtensions.TRACE)).isEqualTo(id);
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(data(event)).isEqualTo(new Payloads.ImagePushed("harbor.example.com/example/test", "latest",
                "sha256:d72f37f783ed6a8d58ac70b4db052707d1ec9d4ea010ef5ccd84652faf9ed844", "harbor.example.com",
                null));
    }

    @Test
    void shouldForwardTheDocumentedHarborPushWithABearerAuthHeader() {
        CloudEventHttp.Answer answer = post(harbor("Bearer " + HARBOR_SECRET, fixture("harbor/docs-push-artifact.json")));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(data(single())).isEqualTo(new Payloads.ImagePushed("hub.harbor.com/test-webhook/debian", "latest",
                "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8", "hub.harbor.com", null));
    }

    @Test
    void shouldForwardTheSameIdWhenHarborRedelivers() {
        Request request = harbor(HARBOR_SECRET, fixture("harbor/push-artifact.json"));

        assertThat(post(request).status()).isEqualTo(200);
        assertThat(post(request).status()).isEqualTo(200);

        List<String> ids = BROKER.received().stream().map(CloudEvent::getId).toList();
        assertThat(ids).hasSize(2).containsOnly(ids.get(0));
    }

    @Test
    void shouldIgnoreHarborPullsAndScanReports() {
        CloudEventHttp.Answer pull = post(harbor(HARBOR_SECRET, fixture("harbor/pull-artifact.json")));
        CloudEventHttp.Answer scan = post(harbor(HARBOR_SECRET, fixture("harbor/scanning-completed.json")));

        assertThat(pull.status()).isEqualTo(200);
        assertThat(pull.json()).containsEntry("forwarded", 0)
                .containsEntry("reason", "harbor event 'PULL_ARTIFACT' is not forwarded");
        assertThat(scan.status()).isEqualTo(200);
        assertThat(scan.json()).containsEntry("forwarded", 0).containsEntry("reason", SCAN_REASON);
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldRejectAWrongOrMissingHarborAuthHeader(CapturedOutput output) {
        byte[] body = fixture("harbor/push-artifact.json");
        Request missing = harbor(null, body);

        for (Request request : List.of(harbor("not-the-secret", body), harbor("Bearer not-the-secret", body),
                harbor("Basic " + HARBOR_SECRET, body), harbor(HARBOR_SECRET + "x", body), missing)) {
            CloudEventHttp.Answer answer = post(request);
            WebhookIngressHttpTest.assertProblem(answer, 401, "webhook-unauthorized");
            assertThat(answer.text()).contains("Authorization");
        }
        assertThat(BROKER.received()).isEmpty();
        assertNoSecretIn(output);
    }

    @Test
    void shouldRejectInvalidHarborFieldsWith422() {
        // each a derived copy of push-artifact.json with one value replaced
        byte[] badDigest = derived("harbor/push-artifact.json",
                "sha256:d72f37f783ed6a8d58ac70b4db052707d1ec9d4ea010ef5ccd84652faf9ed844", "sha256:d72f37f7");
        byte[] badTag = derived("harbor/push-artifact.json", "\"tag\": \"latest\"", "\"tag\": \"-latest\"");
        byte[] badImage = derived("harbor/push-artifact.json", "harbor.example.com/example/test:latest",
                "harbor.example.com/example/Test:latest");
        byte[] otherRepository = derived("harbor/push-artifact.json", "\"repo_full_name\": \"example/test\"",
                "\"repo_full_name\": \"example/other\"");

        for (byte[] body : List.of(badDigest, badTag, badImage, otherRepository)) {
            WebhookIngressHttpTest.assertProblem(post(harbor(HARBOR_SECRET, body)), 422, "invalid-image-push");
        }
        assertThat(post(harbor(HARBOR_SECRET, badDigest)).text()).contains("digest").contains("sha256:");
        assertThat(BROKER.received()).isEmpty();
    }

    // --- Harbor, CloudEvents format --------------------------------------------------------------------------

    @Test
    void shouldForwardAHarborArtifactPushedCloudEvent() {
        byte[] body = harborCloudEvent("harbor.artifact.pushed", "66e18103-09c1-41f6-982f-37df223f3eeb",
                "harbor/push-artifact.json");
        Request request = harbor(HARBOR_SECRET, body);
        request.headers.put("Content-Type", "application/cloudevents+json");

        assertThat(post(request).status()).isEqualTo(200);
        assertThat(post(request).status()).isEqualTo(200);

        assertThat(BROKER.received()).extracting(CloudEvent::getId).containsExactly(
                "harbor-66e18103-09c1-41f6-982f-37df223f3eeb", "harbor-66e18103-09c1-41f6-982f-37df223f3eeb");
        assertThat(data(BROKER.received().get(0))).isEqualTo(new Payloads.ImagePushed(
                "harbor.example.com/example/test", "latest",
                "sha256:d72f37f783ed6a8d58ac70b4db052707d1ec9d4ea010ef5ccd84652faf9ed844", "harbor.example.com",
                null));
    }

    @Test
    void shouldIgnoreHarborCloudEventsThatAreNotTaggedPushes() {
        Map<String, String> json = Map.of("Content-Type", "application/cloudevents+json",
                "Authorization", HARBOR_SECRET);
        CloudEventHttp.Answer pulled = postRaw(json, fixture("harbor/cloudevents-artifact-pulled.json"));
        // derived: Harbor's documented CloudEvent with its type changed to a push; its tag is the digest
        CloudEventHttp.Answer byDigest = postRaw(json, derived("harbor/cloudevents-artifact-pulled.json",
                "\"type\":\"harbor.artifact.pulled\"", "\"type\":\"harbor.artifact.pushed\""));
        CloudEventHttp.Answer scan = postRaw(json, harborCloudEvent("harbor.scan.completed",
                "64bce2fe-6159-454d-8389-852d01ef1e9d", "harbor/scanning-completed.json"));

        assertThat(pulled.json()).containsEntry("forwarded", 0)
                .containsEntry("reason", "harbor event 'harbor.artifact.pulled' is not forwarded");
        assertThat(byDigest.json()).containsEntry("forwarded", 0)
                .containsEntry("reason", "pushed by digest only: no tagged resource among 1");
        assertThat(scan.json()).containsEntry("forwarded", 0).containsEntry("reason", SCAN_REASON);
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldAcceptAHarborCloudEventInBinaryMode() {
        JsonNode defaultFormat = EventPayloads.mapper().readTree(fixture("harbor/push-artifact.json"));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("ce-specversion", "1.0");
        headers.put("ce-type", "harbor.artifact.pushed");
        headers.put("ce-id", "binary-1");
        headers.put("ce-source", "/projects/2/webhook/policies/15");
        headers.put("Authorization", "Bearer " + HARBOR_SECRET);

        CloudEventHttp.Answer answer = postRaw(headers,
                EventPayloads.mapper().writeValueAsBytes(defaultFormat.get("event_data")));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(single().getId()).isEqualTo("harbor-binary-1");
    }

    // --- distribution registry -------------------------------------------------------------------------------

    @Test
    void shouldForwardACapturedManifestPushFromARealRegistry() {
        CloudEventHttp.Answer answer = post(distribution("Bearer " + DISTRIBUTION_TOKEN,
                fixture("distribution/captured-manifest-push.json")));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        CloudEvent event = single();
        assertThat(event.getType()).isEqualTo(RelayEventTypes.IMAGE_PUSHED);
        assertThat(event.getSource()).hasToString("/relay/webhook-ingress");
        assertThat(event.getId()).isEqualTo("distribution-16ffa16d-607b-4642-ae0d-4946aed1ddb5");
        assertThat(event.getExtension(RelayExtensions.TRACE)).isEqualTo(event.getId());
        assertThat(data(event)).isEqualTo(new Payloads.ImagePushed("127.0.0.1:5098/team/demo", "1.0.0",
                "sha256:06a0007737f476b28e4fe9ae1f8fb6e4ff0c2a8220dd8a5597e4416b61b8706c", "127.0.0.1:5098", null));
    }

    @Test
    void shouldForwardOnlyTheTaggedManifestPushOfTheDocumentedEnvelope() {
        // the documented envelope: one manifest push by digest (no tag) and two layer pushes
        CloudEventHttp.Answer verbatim = post(distribution("Bearer " + DISTRIBUTION_TOKEN,
                fixture("distribution/push-envelope.json")));
        assertThat(verbatim.status()).isEqualTo(200);
        assertThat(verbatim.json()).containsEntry("forwarded", 0).containsEntry("reason",
                "no tagged manifest push among 3 events (0 not a push, 2 blob or other non-manifest pushes, "
                        + "1 manifest pushes without a tag)");
        assertThat(BROKER.received()).isEmpty();

        // derived: the same envelope with a tag on its manifest push
        CloudEventHttp.Answer tagged = post(distribution("Bearer " + DISTRIBUTION_TOKEN,
                derived("distribution/push-envelope.json", "\"length\": 1,", "\"length\": 1,\n        \"tag\": \"1.0.0\",")));

        assertThat(tagged.json()).containsEntry("forwarded", 1)
                .containsEntry("ids", List.of("distribution-asdf-asdf-asdf-asdf-0"));
        assertThat(data(single())).isEqualTo(new Payloads.ImagePushed("registrycluster.local/library/test", "1.0.0",
                "sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf", "registrycluster.local",
                null));
    }

    @Test
    void shouldIgnoreBlobPushesAndPulls() {
        CloudEventHttp.Answer blob = post(distribution("Bearer " + DISTRIBUTION_TOKEN,
                fixture("distribution/captured-blob-push.json")));
        CloudEventHttp.Answer pull = post(distribution("Bearer " + DISTRIBUTION_TOKEN,
                fixture("distribution/pull-envelope.json")));

        assertThat(blob.status()).isEqualTo(200);
        assertThat(blob.json()).containsEntry("forwarded", 0).containsEntry("reason",
                "no tagged manifest push among 1 events (0 not a push, 1 blob or other non-manifest pushes, "
                        + "0 manifest pushes without a tag)");
        assertThat(pull.status()).isEqualTo(200);
        assertThat(pull.json()).containsEntry("forwarded", 0);
        assertThat((String) pull.json().get("reason")).contains("1 not a push");
        assertThat(BROKER.received()).isEmpty();
    }

    @Test
    void shouldForwardTheSameIdWhenTheRegistryRedelivers() {
        Request request = distribution("Bearer " + DISTRIBUTION_TOKEN,
                fixture("distribution/captured-manifest-push.json"));

        assertThat(post(request).status()).isEqualTo(200);
        assertThat(post(request).status()).isEqualTo(200);

        assertThat(BROKER.received()).extracting(CloudEvent::getId).containsExactly(
                "distribution-16ffa16d-607b-4642-ae0d-4946aed1ddb5",
                "distribution-16ffa16d-607b-4642-ae0d-4946aed1ddb5");
    }

    @Test
    void shouldRejectAWrongOrMissingRegistryToken(CapturedOutput output) {
        byte[] body = fixture("distribution/captured-manifest-push.json");

        for (Request request : List.of(distribution("Bearer wrong-token", body), distribution(null, body))) {
            WebhookIngressHttpTest.assertProblem(post(request), 401, "webhook-unauthorized");
        }
        assertThat(BROKER.received()).isEmpty();
        assertNoSecretIn(output);
    }

    @Test
    void shouldFallBackToTheTargetUrlHostWithoutARequestHost() {
        // derived: the captured push without request.host
        byte[] body = derived("distribution/captured-manifest-push.json", "\"host\": \"127.0.0.1:5098\"",
                "\"hst\": \"127.0.0.1:5098\"");

        assertThat(post(distribution("Bearer " + DISTRIBUTION_TOKEN, body)).status()).isEqualTo(200);

        assertThat(data(single()).image()).isEqualTo("127.0.0.1:5098/team/demo");
    }

    @Test
    void shouldSkipInvalidRegistryEventsWith2xxSoTheRegistryQueueMovesOn(CapturedOutput output) {
        // each a derived copy of the captured push with one value replaced: an invalid event in a valid envelope
        byte[] badDigest = derived("distribution/captured-manifest-push.json",
                "\"digest\": \"sha256:06a0007737f476b28e4fe9ae1f8fb6e4ff0c2a8220dd8a5597e4416b61b8706c\"",
                "\"digest\": \"md5:06a0007737f476b28e4fe9ae1f8fb6e4\"");
        byte[] badTag = derived("distribution/captured-manifest-push.json", "\"tag\": \"1.0.0\"",
                "\"tag\": \"1.0.0;rm\"");
        byte[] badRepository = derived("distribution/captured-manifest-push.json",
                "\"repository\": \"team/demo\"", "\"repository\": \"team/../demo\"");

        for (byte[] body : List.of(badDigest, badTag, badRepository)) {
            CloudEventHttp.Answer answer = post(distribution("Bearer " + DISTRIBUTION_TOKEN, body));
            assertThat(answer.status()).as(answer.text()).isEqualTo(200);
            assertThat(answer.json()).containsEntry("forwarded", 0).containsEntry("rejected", 1);
            assertThat((List<?>) answer.json().get("rejectedReasons")).singleElement().asString()
                    .startsWith("events[0] (id 16ffa16d-607b-4642-ae0d-4946aed1ddb5): ");
        }
        assertThat(post(distribution("Bearer " + DISTRIBUTION_TOKEN, badDigest)).text()).contains("digest")
                .contains("sha256:");
        assertThat(BROKER.received()).isEmpty();
        assertThat(output.getOut()).contains("WARN").contains("skipped an invalid event: events[0]");
        assertThat(CloudEventHttp.get(uri("/actuator/prometheus")).text()).containsPattern(
                "relay_events_total\\{function=\"webhook-ingress\",outcome=\"rejected-event\",type=\"distribution\"} [1-9]");
    }

    @Test
    void shouldForwardTheValidEventsOfAnEnvelopeAndSkipTheInvalidOne() throws Exception {
        // derived: the captured manifest push twice in one envelope, the second with another id and a bad digest
        JsonNode captured = EventPayloads.mapper().readTree(fixture("distribution/captured-manifest-push.json"));
        ObjectNode good = (ObjectNode) captured.get("events").get(0);
        ObjectNode bad = good.deepCopy();
        bad.put("id", "second-event");
        ((ObjectNode) bad.get("target")).put("digest", "sha256:nothex");
        ObjectNode envelope = EventPayloads.mapper().createObjectNode();
        envelope.putArray("events").add(bad).add(good);

        CloudEventHttp.Answer answer = post(distribution("Bearer " + DISTRIBUTION_TOKEN,
                EventPayloads.mapper().writeValueAsBytes(envelope)));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("forwarded", 1).containsEntry("rejected", 1)
                .containsEntry("ids", List.of("distribution-16ffa16d-607b-4642-ae0d-4946aed1ddb5"));
        assertThat((List<?>) answer.json().get("rejectedReasons")).singleElement().asString()
                .startsWith("events[0] (id second-event): ");
        assertThat(single().getId()).isEqualTo("distribution-16ffa16d-607b-4642-ae0d-4946aed1ddb5");
    }

    @Test
    void shouldStillRejectABodyThatIsNoEnvelopeWith400() {
        byte[] body = "{\"events\":\"not a list\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        WebhookIngressHttpTest.assertProblem(post(distribution("Bearer " + DISTRIBUTION_TOKEN, body)), 400,
                "invalid-webhook-payload");
    }

    @Test
    void shouldCountImagePushesInTheMetrics() {
        post(distribution("Bearer " + DISTRIBUTION_TOKEN, fixture("distribution/captured-manifest-push.json")));

        String metrics = CloudEventHttp.get(uri("/actuator/prometheus")).text();
        assertThat(metrics).containsPattern("relay_events_total\\{function=\"webhook-ingress\",outcome=\"forwarded\","
                + "type=\"dev.relay.image.pushed\"} [1-9]");
    }

    // --- helpers --------------------------------------------------------------------------------------------

    record Request(Map<String, String> headers, byte[] body) {
    }

    static Request harbor(String authorization, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Go-http-client/1.1");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return new Request(headers, body);
    }

    static Request distribution(String authorization, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", DISTRIBUTION);
        headers.put("User-Agent", "Go-http-client/1.1");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return new Request(headers, body);
    }

    /**
     * The structured CloudEvent Harbor's formatter (src/pkg/notifier/formats/cloudevents.go) posts for a
     * default-format payload: its attributes and extensions, {@code data} = {@code event_data}.
     */
    static byte[] harborCloudEvent(String type, String id, String defaultFixture) {
        JsonNode payload = EventPayloads.mapper().readTree(fixture(defaultFixture));
        ObjectNode event = EventPayloads.mapper().createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", id);
        event.put("requestid", "51c0b694-0168-4f3c-b0db-282565455d7b");
        event.put("source", "/projects/2/webhook/policies/15");
        event.put("type", type);
        event.put("datacontenttype", "application/json");
        event.put("time", "2023-04-03T06:04:46Z");
        event.set("data", payload.get("event_data"));
        event.set("operator", payload.get("operator"));
        return EventPayloads.mapper().writeValueAsBytes(event);
    }

    CloudEvent single() {
        assertThat(BROKER.received()).hasSize(1);
        return BROKER.received().get(0);
    }

    CloudEventHttp.Answer post(Request request) {
        return postRaw(request.headers, request.body);
    }

    CloudEventHttp.Answer postRaw(Map<String, String> headers, byte[] body) {
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(uri("/webhooks"), headers, body);
        bodies.add(answer.text());
        return answer;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static Payloads.ImagePushed data(CloudEvent event) {
        return EventPayloads.read(event, Payloads.ImagePushed.class);
    }

    void assertNoSecretIn(CapturedOutput output) {
        for (String secret : List.of(HARBOR_SECRET, DISTRIBUTION_TOKEN)) {
            assertThat(output.getAll()).doesNotContain(secret);
            assertThat(bodies).noneMatch(body -> body.contains(secret));
        }
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
