package dev.relay.ingress;

import static dev.relay.ingress.Webhooks.fixture;
import static dev.relay.ingress.Webhooks.hmacSha256Hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.tracing.TraceParent;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
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

/** A producer's HTTP {@code traceparent} starts the chain's trace: the forwarded event continues it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class WebhookTracingHttpTest {

    private static final String SECRET = "gh-secret-tracing-do-not-leak";
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT_ID = "b7ad6b7169203331";
    private static final FakeBroker BROKER = new FakeBroker();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void ingress(DynamicPropertyRegistry registry) {
        registry.add("relay.ingress.sink", () -> BROKER.uri().toString());
        registry.add("relay.ingress.providers.github.secret", () -> SECRET);
    }

    @BeforeEach
    void resetBroker() {
        BROKER.reset();
    }

    @AfterAll
    static void stopBroker() {
        BROKER.close();
    }

    @Test
    void shouldForwardAGitHubPushInTheTraceOfItsTraceparentHeader(CapturedOutput output) {
        String delivery = UUID.randomUUID().toString();
        Map<String, String> headers = githubPush(delivery);
        headers.put("traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01");
        headers.put("tracestate", "github=hookshot");

        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(uri(), headers, body());

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(BROKER.received()).hasSize(1);
        CloudEvent pushed = BROKER.received().get(0);
        TraceParent forwarded = TraceParent.parse((String) pushed.getExtension(RelayExtensions.TRACEPARENT))
                .orElseThrow();
        assertThat(forwarded.traceId()).isEqualTo(TRACE_ID);
        assertThat(forwarded.parentId()).isNotEqualTo(PARENT_ID);
        assertThat(pushed.getExtension(RelayExtensions.TRACESTATE)).isEqualTo("github=hookshot");
        assertThat(BROKER.receivedHeaders().get(0).get("traceparent")).as("HTTP traceparent to the broker")
                .contains(TRACE_ID);
        assertThat(output.getOut()).containsPattern("\\[relaytrace=github-" + delivery + "] \\[traceId=" + TRACE_ID
                + " spanId=[0-9a-f]{16}] .*webhook producer=github event=push delivery=" + delivery
                + " outcome=forwarded");
    }

    @Test
    void shouldStartATraceForAPushWithoutTraceparent() {
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(uri(), githubPush(UUID.randomUUID().toString()), body());

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        CloudEvent pushed = BROKER.received().get(0);
        assertThat(TraceParent.parse((String) pushed.getExtension(RelayExtensions.TRACEPARENT))).isPresent();
        assertThat(pushed.getExtension(RelayExtensions.TRACESTATE)).isNull();
    }

    @Test
    void shouldForwardAPushWhoseTraceparentHeaderIsMalformedInANewTrace() {
        Map<String, String> headers = githubPush(UUID.randomUUID().toString());
        headers.put("traceparent", "00-" + TRACE_ID + "-0000000000000000-01");

        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(uri(), headers, body());

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        TraceParent forwarded = TraceParent.parse(
                (String) BROKER.received().get(0).getExtension(RelayExtensions.TRACEPARENT)).orElseThrow();
        assertThat(forwarded.traceId()).isNotEqualTo(TRACE_ID);
    }

    private static Map<String, String> githubPush(String delivery) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-GitHub-Event", "push");
        headers.put("X-GitHub-Delivery", delivery);
        headers.put("X-Hub-Signature-256", "sha256=" + hmacSha256Hex(SECRET, body()));
        return headers;
    }

    private static byte[] body() {
        return fixture("github/push-with-new-branch.payload.json");
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/webhooks");
    }
}
