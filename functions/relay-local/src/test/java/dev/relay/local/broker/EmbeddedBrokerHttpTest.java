package dev.relay.local.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The embedded broker over real loopback HTTP, with fake subscribers standing in for functions. */
@SpringBootTest(classes = EmbeddedBrokerHttpTest.BrokerTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"relay.local.broker.triggers-dir=src/test/resources/broker/triggers",
                "relay.local.broker.delivery-threads=4", "relay.local.broker.request-timeout=5s"})
class EmbeddedBrokerHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static HttpClient client;

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedBroker broker;

    @Autowired
    FakeSubscribers subscribers;

    @Autowired
    MeterRegistry meters;

    @BeforeAll
    static void client() {
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void shouldDeliverOnExactAttributesIncludingExtension() throws Exception {
        String shop = send("dev.relay.test.exact", Map.of("relayapp", "shop"));
        String billing = send("dev.relay.test.exact", Map.of("relayapp", "billing"));

        await().atMost(WAIT).until(() -> subscribers.ids("rec-exact").contains(shop));
        awaitDeliveriesSettled(billing);
        assertThat(subscribers.ids("rec-exact")).doesNotContain(billing);
        assertThat(event(billing).deliveries()).isEmpty();
        Received received = subscribers.received("rec-exact").get(0);
        assertThat(received.headers()).containsEntry("ce-type", "dev.relay.test.exact")
                .containsEntry("ce-relayapp", "shop").containsEntry("prefer", "reply");
        assertThat(received.body()).isEqualTo("{\"n\":1}");
    }

    @Test
    void shouldApplyPrefixSuffixAnyAndNotFilters() throws Exception {
        String prefixed = send("dev.relay.test.prefix.anything", Map.of());
        String anyOne = send("dev.relay.test.anyx.one", Map.of());
        String anyTwo = send("dev.relay.test.other.anyx.two", Map.of());
        String anyNone = send("dev.relay.test.anyx.three", Map.of());
        String staging = send("dev.relay.test.not.x", Map.of("relayenv", "staging"));
        String production = send("dev.relay.test.not.x", Map.of("relayenv", "production"));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(subscribers.ids("rec-prefix")).contains(prefixed);
            assertThat(subscribers.ids("rec-any")).contains(anyOne, anyTwo);
            assertThat(subscribers.ids("rec-not")).contains(staging);
        });
        awaitDeliveriesSettled(anyNone);
        assertThat(subscribers.ids("rec-any")).doesNotContain(anyNone);
        assertThat(subscribers.ids("rec-not")).doesNotContain(production);
        assertThat(event(production).deliveries()).isEmpty();
    }

    @Test
    void shouldRecordButNotDeliverWhenNoTriggerMatches() throws Exception {
        String id = send("dev.relay.test.nobody.listens", Map.of("relaytrace", "trace-nobody"));

        EventLog.EventView view = await().atMost(WAIT).until(() -> findEvent(id), found -> found != null);
        assertThat(view.deliveries()).isEmpty();
        assertThat(view.extensions()).containsEntry("relaytrace", "trace-nobody");
        assertThat(broker.matchingTriggers(io.cloudevents.core.builder.CloudEventBuilder.v1().withId("x")
                .withSource(URI.create("/t")).withType("dev.relay.test.nobody.listens").build())).isEmpty();
    }

    @Test
    void shouldChainRepliesAndShowTheChain() throws Exception {
        String id = send("dev.relay.test.chain.start", Map.of("relaytrace", "trace-chain", "relayapp", "shop"));

        await().atMost(WAIT).until(() -> !subscribers.received("chain-b").isEmpty());
        Received next = subscribers.received("chain-b").get(0);
        assertThat(next.headers()).containsEntry("ce-type", "dev.relay.test.chain.next")
                .containsEntry("ce-source", "/relay/chain-a").containsEntry("ce-relaytrace", "trace-chain");

        await().atMost(WAIT).untilAsserted(() -> {
            EventLog.EventView start = event(id);
            assertThat(start.deliveries()).singleElement().satisfies(delivery -> {
                assertThat(delivery.trigger()).isEqualTo("chain-a");
                assertThat(delivery.outcome()).isEqualTo("delivered");
                assertThat(delivery.status()).isEqualTo(200);
                assertThat(delivery.replyType()).isEqualTo("dev.relay.test.chain.next");
            });
            EventLog.EventView reply = event(start.deliveries().get(0).replyId());
            assertThat(reply.replyOf()).isEqualTo(new EventLog.ReplyOf(id, "chain-a"));
            assertThat(reply.data()).isEqualTo(Map.of("step", 2));
            assertThat(reply.deliveries()).singleElement()
                    .satisfies(delivery -> assertThat(delivery.trigger()).isEqualTo("chain-b"));
        });

        HttpResponse<String> events = client.send(HttpRequest.newBuilder(url("/broker/events?limit=500")).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(events.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(events.body());
        List<String> chainTypes = new ArrayList<>();
        for (JsonNode event : list) {
            if ("trace-chain".equals(event.path("extensions").path("relaytrace").asString(null))) {
                chainTypes.add(event.path("type").asString());
            }
        }
        assertThat(chainTypes).containsExactly("dev.relay.test.chain.start", "dev.relay.test.chain.next");
        JsonNode start = find(list, id);
        assertThat(start.path("data").path("n").asInt()).isEqualTo(1);
        assertThat(start.path("deliveries").get(0).path("replyType").asString()).isEqualTo("dev.relay.test.chain.next");
        assertThat(start.path("receivedAt").isMissingNode()).isFalse();
    }

    @Test
    void shouldRetryAFlakySubscriberUntilItAnswers() throws Exception {
        String id = send("dev.relay.test.flaky", Map.of());

        await().atMost(WAIT).untilAsserted(() -> assertThat(event(id).deliveries()).singleElement()
                .satisfies(delivery -> {
                    assertThat(delivery.outcome()).isEqualTo("delivered");
                    assertThat(delivery.attempts()).isEqualTo(FakeSubscribers.FLAKY_FAILURES + 1);
                    assertThat(delivery.status()).isEqualTo(200);
                }));
        assertThat(subscribers.ids("flaky")).containsOnly(id).hasSize(FakeSubscribers.FLAKY_FAILURES + 1);
        assertThat(meters.counter("relay.broker.deliveries", "trigger", "flaky", "outcome", "delivered").count())
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterToAHostedSinkWithKnativeErrorAttributes() throws Exception {
        String id = send("dev.relay.test.doomed", Map.of("relaytrace", "trace-doomed"));

        await().atMost(WAIT).until(() -> subscribers.ids("dead-letter-sink").contains(id));
        Received letter = subscribers.received("dead-letter-sink").stream()
                .filter(received -> id.equals(received.headers().get("ce-id"))).findFirst().orElseThrow();
        assertThat(letter.headers())
                .containsEntry("ce-type", "dev.relay.test.doomed")
                .containsEntry("ce-relaytrace", "trace-doomed")
                .containsEntry("ce-knativeerrorcode", "503")
                .containsEntry("ce-knativeerrordest", "http://127.0.0.1:" + port + "/always-fails");
        assertThat(new String(Base64.getDecoder().decode(letter.headers().get("ce-knativeerrordata")),
                StandardCharsets.UTF_8)).contains("subscriber down");
        assertThat(subscribers.ids("always-fails").stream().filter(id::equals)).hasSize(3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(event(id).deliveries()).singleElement()
                .satisfies(delivery -> {
                    assertThat(delivery.outcome()).isEqualTo("dead_lettered");
                    assertThat(delivery.attempts()).isEqualTo(3);
                    assertThat(delivery.status()).isEqualTo(503);
                }));
    }

    @Test
    void shouldKeepDeadLettersForASinkThatIsNotHosted() throws Exception {
        String id = send("dev.relay.test.doomed.internal", Map.of());

        await().atMost(WAIT).until(() -> broker.deadLetters().stream().anyMatch(dl -> dl.eventId().equals(id)));
        EventLog.DeadLetterView letter = broker.deadLetters().stream().filter(dl -> dl.eventId().equals(id))
                .findFirst().orElseThrow();
        assertThat(letter.trigger()).isEqualTo("doomed-internal");
        assertThat(letter.errorCode()).isEqualTo(503);
        assertThat(letter.sink()).isEqualTo("internal:Service/relay-dead-letters");
        assertThat(letter.extensions()).containsEntry("knativeerrorcode", "503");

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url("/broker/dead-letters")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode found = find(JSON.readTree(response.body()), id, "eventId");
        assertThat(found.path("errorCode").asInt()).isEqualTo(503);
        assertThat(found.path("errorDest").asString()).endsWith("/always-fails");
    }

    @Test
    void shouldNotRetryATerminalRejection() throws Exception {
        String id = send("dev.relay.test.rejected", Map.of());

        await().atMost(WAIT).until(() -> subscribers.ids("dead-letter-sink").contains(id));
        assertThat(subscribers.ids("bad-request").stream().filter(id::equals)).hasSize(1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(event(id).deliveries()).singleElement()
                .satisfies(delivery -> assertThat(delivery.attempts()).isEqualTo(1)));
    }

    @Test
    void shouldAcceptStructuredMode() throws Exception {
        String id = UUID.randomUUID().toString();
        String body = """
                {"specversion":"1.0","id":"%s","source":"/curl","type":"dev.relay.test.structured",
                 "relayapp":"shop","datacontenttype":"application/json","data":{"hello":"world"}}
                """.formatted(id);

        HttpResponse<String> response = post(Map.of("Content-Type", "application/cloudevents+json"), body);

        assertThat(response.statusCode()).isEqualTo(202);
        await().atMost(WAIT).until(() -> subscribers.ids("rec-structured").contains(id));
        Received received = subscribers.received("rec-structured").get(0);
        assertThat(received.headers()).containsEntry("ce-source", "/curl").containsEntry("ce-relayapp", "shop")
                .containsEntry("content-type", "application/json");
        assertThat(JSON.readTree(received.body()).path("hello").asString()).isEqualTo("world");
    }

    @Test
    void shouldRejectMalformedEventsWithProblemDetails() throws Exception {
        HttpResponse<String> noId = post(Map.of("ce-specversion", "1.0", "ce-source", "/t", "ce-type", "x",
                "Content-Type", "application/json"), "{}");
        HttpResponse<String> oldSpec = post(Map.of("ce-specversion", "0.3", "ce-id", "1", "ce-source", "/t",
                "ce-type", "x"), "");
        HttpResponse<String> badTime = post(Map.of("ce-specversion", "1.0", "ce-id", "1", "ce-source", "/t",
                "ce-type", "x", "ce-time", "yesterday"), "");
        HttpResponse<String> notAnEvent = post(Map.of("Content-Type", "application/json"), "{}");
        HttpResponse<String> brokenJson = post(Map.of("Content-Type", "application/cloudevents+json"), "{");

        for (HttpResponse<String> response : List.of(noId, oldSpec, badTime, notAnEvent, brokenJson)) {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            JsonNode problem = JSON.readTree(response.body());
            assertThat(problem.path("status").asInt()).isEqualTo(400);
            assertThat(problem.path("title").asString()).isEqualTo("Malformed CloudEvent");
            assertThat(problem.path("type").asString()).endsWith("/malformed-cloudevent");
        }
        assertThat(JSON.readTree(noId.body()).path("detail").asString()).contains("'id'");
        assertThat(JSON.readTree(oldSpec.body()).path("detail").asString()).contains("0.3");
    }

    @Test
    void shouldRejectEventsOverOneMebibyte() throws Exception {
        String big = "\"" + "x".repeat(1024 * 1024) + "\"";
        HttpResponse<String> response = post(Map.of("ce-specversion", "1.0", "ce-id", "big", "ce-source", "/t",
                "ce-type", "dev.relay.test.big", "Content-Type", "application/json"), big);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).path("status").asInt()).isEqualTo(413);
    }

    @Test
    void shouldRefuseHostileAttributesWithProblemDetailsAndDeliverNothing() throws Exception {
        String longId = "x".repeat(300);
        HttpResponse<String> tooLong = post(Map.of("ce-specversion", "1.0", "ce-id", longId, "ce-source", "/t",
                "ce-type", "dev.relay.test.exact", "ce-relayapp", "shop", "Content-Type", "application/json"), "{}");
        HttpResponse<String> newlineId = post(Map.of("ce-specversion", "1.0", "ce-id", "evil%0Aforged",
                "ce-source", "/t", "ce-type", "dev.relay.test.exact", "ce-relayapp", "shop"), "");
        HttpResponse<String> structuredId = post(Map.of("Content-Type", "application/cloudevents+json"), """
                {"specversion":"1.0","id":"evil\\nforged","source":"/t","type":"dev.relay.test.exact",
                 "relayapp":"shop"}""");
        HttpResponse<String> structuredTrace = post(Map.of("Content-Type", "application/cloudevents+json"), """
                {"specversion":"1.0","id":"evil-trace","source":"/t","type":"dev.relay.test.exact",
                 "relayapp":"shop","relaytrace":"t\\r\\nforged"}""");

        for (HttpResponse<String> response : List.of(tooLong, newlineId, structuredId, structuredTrace)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(JSON.readTree(response.body()).path("type").asString()).endsWith("/malformed-cloudevent");
        }
        String marker = send("dev.relay.test.exact", Map.of("relayapp", "shop"));
        await().atMost(WAIT).until(() -> subscribers.ids("rec-exact").contains(marker));
        assertThat(subscribers.ids("rec-exact")).noneMatch(id -> id.startsWith("evil") || id.equals(longId));
        assertThat(broker.recentEvents()).noneMatch(event -> event.id().startsWith("evil")
                || event.id().equals(longId));
    }

    @Test
    void shouldContinueTheTraceOfTheProducersTraceparentHeader() throws Exception {
        String traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String id = UUID.randomUUID().toString();
        HttpResponse<String> response = post(Map.of("ce-specversion", "1.0", "ce-id", id, "ce-source", "/producer",
                "ce-type", "dev.relay.test.prefix.traced", "traceparent", traceParent, "tracestate", "vendor=1",
                "Content-Type", "application/json"), "{}");

        assertThat(response.statusCode()).isEqualTo(202);
        await().atMost(WAIT).until(() -> subscribers.ids("rec-prefix").contains(id));
        Received received = subscribers.received("rec-prefix").stream()
                .filter(r -> id.equals(r.headers().get("ce-id"))).findFirst().orElseThrow();
        assertThat(received.headers()).containsEntry("traceparent", traceParent)
                .containsEntry("ce-traceparent", traceParent).containsEntry("tracestate", "vendor=1");
        assertThat(event(id).extensions()).containsEntry("traceparent", traceParent);
    }

    @Test
    void shouldRefuseRelayPayloadsTheSubscribingFunctionWouldRefuse() throws Exception {
        Map<String, String> scanPassed = Map.of("ce-specversion", "1.0", "ce-source", "/t",
                "ce-type", "dev.relay.scan.passed", "Content-Type", "application/json");
        HttpResponse<String> notAnObject = post(with(scanPassed, "ce-id", "scan-array"), "[1,2]");
        HttpResponse<String> notJson = post(with(scanPassed, "ce-id", "scan-text"), "hello");
        HttpResponse<String> noDigest = post(with(scanPassed, "ce-id", "scan-no-digest"),
                "{\"image\":\"localhost:5000/web-app\",\"tag\":\"1.0.0\"}");
        HttpResponse<String> complete = post(with(scanPassed, "ce-id", "scan-ok"),
                "{\"image\":\"localhost:5000/web-app\",\"tag\":\"1.0.0\",\"digest\":\"sha256:"
                        + "a".repeat(64) + "\"}");

        assertThat(notAnObject.statusCode()).isEqualTo(400);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(noDigest.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(noDigest.body()).path("detail").asString()).contains("'digest'");
        assertThat(complete.statusCode()).isEqualTo(202);
        await().atMost(WAIT).until(() -> subscribers.ids("rec-scan").contains("scan-ok"));
        assertThat(subscribers.ids("rec-scan")).containsExactly("scan-ok");
    }

    @Test
    void shouldListDeadLettersWithTheirReasonAndReplayThemOverHttp() throws Exception {
        String id = send("dev.relay.test.doomed.internal", Map.of());
        await().atMost(WAIT).until(() -> broker.deadLetters().stream().anyMatch(dl -> dl.eventId().equals(id)));
        JsonNode listed = find(JSON.readTree(client.send(HttpRequest.newBuilder(url("/broker/dead-letters")).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).body()), id, "eventId");
        String letterId = listed.path("id").asString();
        assertThat(listed.path("reason").asString()).contains("answered 503");
        long failedBefore = subscribers.ids("always-fails").stream().filter(id::equals).count();

        HttpResponse<String> replay = client.send(HttpRequest.newBuilder(url("/broker/dead-letters/" + letterId
                + "/replay")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> again = client.send(HttpRequest.newBuilder(url("/broker/dead-letters/" + letterId
                + "/replay")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(find(JSON.readTree(replay.body()).path("replayed"), letterId, "id").path("eventId").asString())
                .isEqualTo(id);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        await().atMost(WAIT).until(() -> subscribers.ids("always-fails").stream().filter(id::equals).count()
                > failedBefore);
        await().atMost(WAIT).until(() -> broker.deadLetters().stream()
                .anyMatch(dl -> dl.eventId().equals(id) && !dl.id().equals(letterId)));
        assertThat(broker.deadLetters()).noneMatch(dl -> dl.id().equals(letterId));
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> result = new LinkedHashMap<>(headers);
        result.put(name, value);
        return result;
    }

    // --- helpers

    private String send(String type, Map<String, String> extensions) throws IOException, InterruptedException {
        String id = UUID.randomUUID().toString();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce-specversion", "1.0");
        headers.put("ce-id", id);
        headers.put("ce-source", "/relay/test");
        headers.put("ce-type", type);
        headers.put("Content-Type", "application/json");
        extensions.forEach((name, value) -> headers.put("ce-" + name, value));
        HttpResponse<String> response = post(headers, "{\"n\":1}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return id;
    }

    private HttpResponse<String> post(Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url("/broker"))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private EventLog.EventView findEvent(String id) {
        return broker.recentEvents().stream().filter(event -> event.id().equals(id)).findFirst().orElse(null);
    }

    private EventLog.EventView event(String id) {
        EventLog.EventView event = findEvent(id);
        assertThat(event).as("event %s in the broker's log", id).isNotNull();
        return event;
    }

    /** An event that matches no trigger has settled once it is logged (routing is synchronous at ingress). */
    private void awaitDeliveriesSettled(String id) {
        await().atMost(WAIT).until(() -> findEvent(id) != null);
    }

    private static JsonNode find(JsonNode list, String id) {
        return find(list, id, "id");
    }

    private static JsonNode find(JsonNode list, String id, String field) {
        for (JsonNode node : list) {
            if (id.equals(node.path(field).asString(null))) {
                return node;
            }
        }
        throw new AssertionError("no entry with " + field + "=" + id + " in " + list);
    }

    // --- the test application

    record Received(Map<String, String> headers, String body) {
    }

    /** Fake functions: each records what it receives; some answer, fail, or reply with an event. */
    @RestController
    static class FakeSubscribers {

        static final int FLAKY_FAILURES = 2;
        static final Set<String> NAMES = Set.of("rec-exact", "rec-prefix", "rec-any", "rec-not", "rec-structured",
                "chain-a", "chain-b", "flaky", "always-fails", "bad-request", "dead-letter-sink", "rec-scan");

        private final Map<String, List<Received>> received = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> flakyCalls = new ConcurrentHashMap<>();

        @PostMapping("/{name}")
        ResponseEntity<String> receive(@PathVariable String name, HttpServletRequest request,
                @RequestBody(required = false) String body) {
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header : Collections.list(request.getHeaderNames())) {
                headers.put(header.toLowerCase(Locale.ROOT), request.getHeader(header));
            }
            received.computeIfAbsent(name, key -> Collections.synchronizedList(new ArrayList<>()))
                    .add(new Received(headers, body));
            String id = headers.get("ce-id");
            return switch (name) {
                case "chain-a" -> ResponseEntity.ok()
                        .header("ce-specversion", "1.0")
                        .header("ce-id", UUID.randomUUID().toString())
                        .header("ce-source", "/relay/chain-a")
                        .header("ce-type", "dev.relay.test.chain.next")
                        .header("ce-relaytrace", headers.get("ce-relaytrace"))
                        .header("Content-Type", "application/json")
                        .body("{\"step\":2}");
                case "flaky" -> flakyCalls.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet()
                        <= FLAKY_FAILURES ? ResponseEntity.status(503).body("try later") : ResponseEntity.ok().build();
                case "always-fails" -> ResponseEntity.status(503).header("Content-Type", "application/problem+json")
                        .body("{\"title\":\"subscriber down\",\"status\":503}");
                case "bad-request" -> ResponseEntity.status(400).body("no");
                default -> ResponseEntity.accepted().build();
            };
        }

        List<Received> received(String name) {
            List<Received> list = received.get(name);
            if (list == null) {
                return List.of();
            }
            synchronized (list) {
                return List.copyOf(list);
            }
        }

        List<String> ids(String name) {
            return received(name).stream().map(r -> r.headers().get("ce-id")).toList();
        }
    }

    /** Only the broker and the fakes: shared's function endpoint (also at POST /{name}) is left out. */
    @SpringBootConfiguration
    @EnableAutoConfiguration(excludeName = "dev.relay.shared.config.RelayFunctionAutoConfiguration")
    @Import({EmbeddedBrokerConfiguration.class, FakeSubscribers.class})
    static class BrokerTestApp {

        @Bean
        HostedFunctions hostedFunctions() {
            return FakeSubscribers.NAMES::contains;
        }
    }
}
