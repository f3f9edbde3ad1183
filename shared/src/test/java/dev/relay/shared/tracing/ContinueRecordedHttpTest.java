package dev.relay.shared.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import dev.relay.shared.testing.CloudEventHttp;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * A function that reads a trace back from Git ({@link EventTracing#continueRecorded}) answers in that trace, in a span
 * of its own linked to the span that handled the event, and the endpoint keeps that answer's {@code traceparent}.
 */
@SpringBootTest(classes = {EchoApplication.class, ContinueRecordedHttpTest.Spans.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class ContinueRecordedHttpTest {

    private static final String EVENT_TRACE_ID = "11c0ffee22c0ffee33c0ffee44c0ffee";
    private static final String RECORDED_TRACE_ID = "5ab1e5ab1e5ab1e5ab1e5ab1e5ab1e00";
    private static final String RECORDED_SPAN_ID = "7a7a7a7a7a7a7a7a";
    private static final List<MutableSpan> FINISHED = new CopyOnWriteArrayList<>();

    @LocalServerPort
    int port;

    @TestConfiguration
    static class Spans {
        @Bean
        SpanHandler collectingSpanHandler() {
            return new SpanHandler() {
                @Override
                public boolean end(TraceContext context, MutableSpan span, Cause cause) {
                    FINISHED.add(span);
                    return true;
                }
            };
        }
    }

    @Test
    void shouldAnswerInTheRecordedTraceInASpanLinkedToTheHandlingSpan() {
        String eventId = "resume-linked";
        CloudEventHttp.Answer answer = post(eventId, "00-" + RECORDED_TRACE_ID + "-" + RECORDED_SPAN_ID + "-01");

        assertThat(answer.ceType()).as(answer.text()).isEqualTo("dev.relay.test.resumed");
        TraceParent out = TraceParent.parse(answer.header("ce-traceparent")).orElseThrow();
        assertThat(out.traceId()).isEqualTo(RECORDED_TRACE_ID);
        assertThat(out.parentId()).isNotEqualTo(RECORDED_SPAN_ID);
        await().atMost(Duration.ofSeconds(10)).until(() -> span(out.parentId()) != null
                && handlingSpan(eventId) != null);
        MutableSpan resumed = span(out.parentId());
        MutableSpan handling = handlingSpan(eventId);
        assertThat(handling.traceId()).isEqualTo(EVENT_TRACE_ID);
        assertThat(resumed.parentId()).isEqualTo(RECORDED_SPAN_ID);
        assertThat(resumed.name()).isEqualTo("resume");
        assertThat(resumed.tag("links[0].traceId")).isEqualTo(EVENT_TRACE_ID);
        assertThat(resumed.tag("links[0].spanId")).isEqualTo(handling.id());
    }

    @Test
    void shouldStayInTheEventsTraceWhenTheRecordedTraceparentIsMalformed(CapturedOutput output) {
        CloudEventHttp.Answer answer = post("resume-malformed", "00-" + RECORDED_TRACE_ID + "-0000000000000000-01");

        assertThat(answer.ceType()).as(answer.text()).isEqualTo("dev.relay.test.resumed");
        assertThat(TraceParent.parse(answer.header("ce-traceparent")).orElseThrow().traceId())
                .isEqualTo(EVENT_TRACE_ID);
        assertThat(output.getOut()).contains("the recorded traceparent is malformed");
    }

    @Test
    void shouldStampTheHandlingSpanWhenNothingIsRecorded() {
        CloudEventHttp.Answer answer = post("resume-nothing", null);

        assertThat(TraceParent.parse(answer.header("ce-traceparent")).orElseThrow().traceId())
                .isEqualTo(EVENT_TRACE_ID);
    }

    private static MutableSpan span(String id) {
        return FINISHED.stream().filter(s -> id.equals(s.id())).findFirst().orElse(null);
    }

    /** The endpoint's span for the event (the only one tagged with the function). */
    private static MutableSpan handlingSpan(String eventId) {
        return FINISHED.stream().filter(s -> s.tag(EventTracing.TAG_FUNCTION) != null
                && eventId.equals(s.tag(EventTracing.TAG_EVENT_ID))).findFirst().orElse(null);
    }

    private CloudEventHttp.Answer post(String eventId, String recorded) {
        String body = recorded == null ? "{}" : "{\"recorded\":\"" + recorded + "\"}";
        return CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + "/resume"), Map.of(
                "ce-specversion", "1.0", "ce-id", eventId, "ce-type", "dev.relay.test.resume",
                "ce-source", "/tests", "ce-traceparent", "00-" + EVENT_TRACE_ID + "-0123456789abcdef-01",
                "content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }
}
