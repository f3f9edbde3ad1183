package dev.relay.shared.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The W3C trace context through a function's HTTP endpoint: the answer continues the trace of the event's
 * {@code traceparent} extension in a span of its own, falls back to the HTTP {@code traceparent} header, and starts a
 * trace when there is neither (or the extension is malformed, which is never a reason to refuse the event).
 */
@SpringBootTest(classes = EchoApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.cloud.function.definition=echo",
                "logging.pattern.correlation=[relaytrace=%X{relaytrace:-}] [traceId=%X{traceId:-} spanId=%X{spanId:-}] "})
@ExtendWith(OutputCaptureExtension.class)
class EventTracingHttpTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";

    @LocalServerPort
    int port;

    @Test
    void shouldContinueTheEventsTraceInASpanOfItsOwn() {
        CloudEventHttp.Answer answer = post(Map.of(RelayExtensions.TRACEPARENT, TRACEPARENT), Map.of());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.ceType()).isEqualTo("dev.relay.test.echoed");
        TraceParent out = traceParentOf(answer);
        assertThat(out.traceId()).isEqualTo(TRACE_ID);
        assertThat(out.parentId()).isNotEqualTo(PARENT_ID);
    }

    @Test
    void shouldCarryTheTraceStateAlong() {
        CloudEventHttp.Answer answer = post(Map.of(RelayExtensions.TRACEPARENT, TRACEPARENT,
                RelayExtensions.TRACESTATE, "congo=t61rcWkgMzE"), Map.of());

        assertThat(traceParentOf(answer).traceId()).isEqualTo(TRACE_ID);
        assertThat(answer.header("ce-tracestate")).isEqualTo("congo=t61rcWkgMzE");
    }

    @Test
    void shouldStartATraceForAnEventWithoutOne() {
        CloudEventHttp.Answer first = post(Map.of(), Map.of());
        CloudEventHttp.Answer second = post(Map.of(), Map.of());

        assertThat(first.status()).isEqualTo(200);
        assertThat(traceParentOf(first).traceId()).isNotEqualTo(traceParentOf(second).traceId());
    }

    @Test
    void shouldSampleEveryNewTraceByDefault() {
        for (int i = 0; i < 5; i++) {
            assertThat(post(Map.of(), Map.of()).header("ce-traceparent")).as("sampled flag").endsWith("-01");
        }
    }

    @Test
    void shouldFollowTheHttpTraceparentHeaderWhenTheEventHasNone() {
        CloudEventHttp.Answer answer = post(Map.of(), Map.of("traceparent", TRACEPARENT));

        TraceParent out = traceParentOf(answer);
        assertThat(out.traceId()).isEqualTo(TRACE_ID);
        assertThat(out.parentId()).isNotEqualTo(PARENT_ID);
    }

    @Test
    void shouldPreferTheEventsTraceparentOverTheHttpHeader() {
        String other = "00-" + "ab".repeat(16) + "-" + "cd".repeat(8) + "-01";

        CloudEventHttp.Answer answer = post(Map.of(RelayExtensions.TRACEPARENT, TRACEPARENT),
                Map.of("traceparent", other));

        assertThat(traceParentOf(answer).traceId()).isEqualTo(TRACE_ID);
    }

    @Test
    void shouldHandleAnEventWithAMalformedTraceparentInANewTrace(CapturedOutput output) {
        CloudEventHttp.Answer answer = post(Map.of(RelayExtensions.TRACEPARENT, "00-not-a-trace-01"), Map.of());

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.ceType()).isEqualTo("dev.relay.test.echoed");
        assertThat(answer.header("ce-traceparent")).isNotEqualTo("00-not-a-trace-01");
        assertThat(TraceParent.parse(answer.header("ce-traceparent"))).isPresent();
        assertThat(output.getOut()).contains("carries a malformed traceparent extension");
    }

    @Test
    void shouldLogTheRelaytraceAndTheTraceIdOnTheLineOfAHandledEvent(CapturedOutput output) {
        post(Map.of(RelayExtensions.TRACEPARENT, TRACEPARENT, RelayExtensions.TRACE, "trace-echo-7"), Map.of());

        assertThat(output.getOut()).containsPattern("\\[relaytrace=trace-echo-7] \\[traceId=" + TRACE_ID
                + " spanId=[0-9a-f]{16}] .*handled by echo: answered dev.relay.test.echoed");
    }

    private CloudEventHttp.Answer post(Map<String, String> extensions, Map<String, String> httpHeaders) {
        Map<String, String> headers = new LinkedHashMap<>(httpHeaders);
        headers.put("ce-specversion", "1.0");
        headers.put("ce-id", "echo-" + System.nanoTime());
        headers.put("ce-type", "dev.relay.test.echo");
        headers.put("ce-source", "/tests");
        headers.put("content-type", "application/json");
        extensions.forEach((name, value) -> headers.put("ce-" + name, value));
        return CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + "/"), headers, "{}".getBytes());
    }

    private static TraceParent traceParentOf(CloudEventHttp.Answer answer) {
        String value = answer.header("ce-traceparent");
        assertThat(value).as("ce-traceparent of the answer").isNotNull();
        return TraceParent.parse(value).orElseThrow(() -> new AssertionError("not a valid traceparent: " + value));
    }
}
