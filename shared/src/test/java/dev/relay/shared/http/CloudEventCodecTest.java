package dev.relay.shared.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CloudEventCodecTest {

    private static final String STRUCTURED = "application/cloudevents+json";

    @Test
    void shouldReadBinaryModeWithHeaderNamesInAnyCase() {
        CloudEvent event = CloudEventCodec.read(Map.of("CE-SpecVersion", "1.0", "Ce-Id", "e-1", "ce-source", "/tests",
                "ce-type", "dev.relay.test", "ce-relayapp", "shop", "Content-Type", "application/json"),
                bytes("{\"n\":1}"));

        assertThat(event.getId()).isEqualTo("e-1");
        assertThat(event.getSource()).isEqualTo(URI.create("/tests"));
        assertThat(event.getType()).isEqualTo("dev.relay.test");
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(event.getExtension("relayapp")).isEqualTo("shop");
        assertThat(text(event.getData().toBytes())).isEqualTo("{\"n\":1}");
    }

    @Test
    void shouldPercentDecodeBinaryHeaderValues() {
        CloudEvent event = CloudEventCodec.read(binary("ce-subject", "caf%C3%A9%20au%20lait", "ce-relaytrace",
                "100%25%22done%22", "ce-relayapp", "50%off"), new byte[0]);

        assertThat(event.getSubject()).isEqualTo("café au lait");
        assertThat(event.getExtension("relaytrace")).isEqualTo("100%\"done\"");
        assertThat(event.getExtension("relayapp")).as("a stray %% is kept").isEqualTo("50%off");
    }

    @Test
    void shouldReadStructuredModeWithJsonData() {
        CloudEvent event = CloudEventCodec.read(Map.of("content-type", STRUCTURED + "; charset=utf-8"), bytes("""
                {"specversion":"1.0","id":"e-2","source":"/curl","type":"dev.relay.test","relayapp":"shop",
                 "time":"2024-05-01T10:00:00Z","datacontenttype":"application/json","data":{"hello":"world"}}
                """));

        assertThat(event.getId()).isEqualTo("e-2");
        assertThat(event.getTime()).isEqualTo(OffsetDateTime.parse("2024-05-01T10:00:00Z"));
        assertThat(event.getExtension("relayapp")).isEqualTo("shop");
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(text(event.getData().toBytes())).isEqualTo("{\"hello\":\"world\"}");
    }

    @Test
    void shouldReadStructuredModeWithBase64Data() {
        CloudEvent event = CloudEventCodec.read(Map.of("Content-Type", STRUCTURED), bytes("""
                {"specversion":"1.0","id":"e-3","source":"/curl","type":"dev.relay.test",
                 "datacontenttype":"application/octet-stream","data_base64":"AAEC/w=="}
                """));

        assertThat(event.getDataContentType()).isEqualTo("application/octet-stream");
        assertThat(event.getData().toBytes()).containsExactly(0, 1, 2, 0xff);
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "source", "type"})
    void shouldRejectBinaryEventMissingARequiredAttributeNamingIt(String attribute) {
        Map<String, String> headers = binary();
        headers.remove("ce-" + attribute);

        assertRejected(() -> CloudEventCodec.read(headers, new byte[0]), 400)
                .hasMessageContaining("'" + attribute + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "source", "type"})
    void shouldRejectBinaryEventWithAnEmptyRequiredAttributeNamingIt(String attribute) {
        assertRejected(() -> CloudEventCodec.read(binary("ce-" + attribute, ""), new byte[0]), 400)
                .hasMessageContaining("'" + attribute + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "source", "type"})
    void shouldRejectStructuredEventMissingARequiredAttributeNamingIt(String attribute) {
        Map<String, String> json = new LinkedHashMap<>(Map.of("specversion", "1.0", "id", "e-4", "source", "/t",
                "type", "dev.relay.test"));
        json.remove(attribute);
        StringBuilder body = new StringBuilder("{");
        json.forEach((name, value) -> body.append(body.length() > 1 ? "," : "")
                .append('"').append(name).append("\":\"").append(value).append('"'));
        body.append('}');

        assertRejected(() -> CloudEventCodec.read(Map.of("content-type", STRUCTURED), bytes(body.toString())), 400)
                .hasMessageContaining("'" + attribute + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3", "2.0"})
    void shouldRejectAnySpecVersionButOnePointZero(String version) {
        assertRejected(() -> CloudEventCodec.read(binary("ce-specversion", version), new byte[0]), 400)
                .hasMessageContaining("'" + version + "'");
        assertRejected(() -> CloudEventCodec.read(Map.of("content-type", STRUCTURED), bytes("""
                {"specversion":"%s","id":"e-5","source":"/t","type":"dev.relay.test"}""".formatted(version))), 400)
                .hasMessageContaining("'" + version + "'");
    }

    @Test
    void shouldRejectBatchesAsUnsupportedMediaType() {
        assertRejected(() -> CloudEventCodec.read(Map.of("Content-Type", "application/cloudevents-batch+json"),
                bytes("[]")), 415)
                .satisfies(e -> assertThat(((EventRejectedException) e).problemType())
                        .isEqualTo("unsupported-event-format"));
    }

    @Test
    void shouldRejectWhatIsNotACloudEvent() {
        assertRejected(() -> CloudEventCodec.read(Map.of("content-type", "application/json"), bytes("{}")), 400)
                .hasMessageContaining("carries no CloudEvent");
        assertRejected(() -> CloudEventCodec.read(Map.of("content-type", STRUCTURED), bytes("{")), 400);
        assertRejected(() -> CloudEventCodec.read(binary("ce-time", "yesterday"), new byte[0]), 400)
                .hasMessageContaining("time");
        assertRejected(() -> CloudEventCodec.read(Map.of("content-type", STRUCTURED), bytes("""
                {"specversion":"1.0","id":"e-6","source":"/t","type":"x","data":"a","data_base64":"AA=="}""")), 400);
    }

    @Test
    void shouldRejectHostileAttributesThatCouldForgeALogLineOrTrailer() {
        assertRejected(() -> CloudEventCodec.read(binary("ce-id", "x".repeat(257)), new byte[0]), 400)
                .hasMessageContaining("'id'").hasMessageContaining("257");
        assertRejected(() -> CloudEventCodec.read(binary("ce-id", "e-1%0AINFO forged line"), new byte[0]), 400)
                .hasMessageContaining("'id'").hasMessageContaining("control character");
        assertRejected(() -> CloudEventCodec.read(binary("ce-id", "e-1%00"), new byte[0]), 400);
        assertRejected(() -> CloudEventCodec.read(binary("ce-relaytrace", "t%0D%0Aforged"), new byte[0]), 400)
                .hasMessageContaining("'relaytrace'");
        assertRejected(() -> CloudEventCodec.read(Map.of("content-type", STRUCTURED), bytes("""
                {"specversion":"1.0","id":"e-7\\nforged","source":"/t","type":"dev.relay.test"}""")), 400)
                .hasMessageContaining("'id'");
        assertRejected(() -> CloudEventCodec.read(Map.of("content-type", STRUCTURED), bytes("""
                {"specversion":"1.0","id":"e-8","source":"/t","type":"dev.relay.test","relaytrace":"a\\nb"}""")),
                400).hasMessageContaining("'relaytrace'");
        assertRejected(() -> CloudEventCodec.read(binary("ce-subject", "a%0Ab"), new byte[0]), 400);

        assertThat(CloudEventCodec.read(binary("ce-id", "x".repeat(256)), new byte[0]).getId()).hasSize(256);
        assertThat(CloudEventCodec.read(binary("ce-subject", "caf%C3%A9"), new byte[0]).getSubject())
                .isEqualTo("café");
    }

    @Test
    void shouldRejectInvalidExtensionNames() {
        assertRejected(() -> CloudEventCodec.read(binary("ce-relay_app", "shop"), new byte[0]), 400)
                .hasMessageContaining("relay_app");
        assertRejected(() -> CloudEventCodec.read(binary("ce-data", "x"), new byte[0]), 400)
                .hasMessageContaining("'data'");
        assertRejected(() -> CloudEventCodec.read(Map.of("content-type", STRUCTURED), bytes("""
                {"specversion":"1.0","id":"e-7","source":"/t","type":"x","Relay-App":"shop"}""")), 400)
                .hasMessageContaining("Relay-App");
    }

    @Test
    void shouldTellWhetherHeadersCarryAnEvent() {
        assertThat(CloudEventCodec.carriesEvent(Map.of("Ce-Specversion", "1.0"))).isTrue();
        assertThat(CloudEventCodec.carriesEvent(Map.of("Content-Type", STRUCTURED + "; charset=utf-8"))).isTrue();
        assertThat(CloudEventCodec.carriesEvent(Map.of("content-type", "application/json"))).isFalse();
        assertThat(CloudEventCodec.carriesEvent(Map.of())).isFalse();
    }

    @Test
    void shouldWriteBinaryModeAndReadItBackWithExtensions() {
        CloudEvent event = CloudEventBuilder.v1()
                .withId("e-8")
                .withSource(URI.create("/relay/bump"))
                .withType("dev.relay.manifest.bumped")
                .withSubject("café \"shop\" 100%")
                .withTime(OffsetDateTime.parse("2024-05-01T10:00:00Z"))
                .withExtension("relaytrace", "trace 1")
                .withExtension("relayapp", "shop")
                .withDataContentType("application/json")
                .withData(bytes("{\"tag\":\"1.2.3\"}"))
                .build();

        CloudEventCodec.HttpEvent http = CloudEventCodec.write(event);
        CloudEvent read = CloudEventCodec.read(http.headers(), http.body());

        assertThat(http.headers()).containsEntry("ce-specversion", "1.0")
                .containsEntry("ce-type", "dev.relay.manifest.bumped")
                .containsEntry("ce-subject", "caf%C3%A9%20%22shop%22%20100%25")
                .containsEntry("ce-relaytrace", "trace%201")
                .containsEntry("ce-relayapp", "shop")
                .containsEntry("Content-Type", "application/json");
        assertThat(http.headers().values()).allSatisfy(value -> assertThat(value).matches("[\\x21-\\x7e;= ]*"));
        assertThat(read).isEqualTo(event);
        assertThat(read.getExtension("relaytrace")).isEqualTo("trace 1");
        assertThat(read.getExtension("relayapp")).isEqualTo("shop");
    }

    @Test
    void shouldWriteAnEventWithoutDataAsAnEmptyBody() {
        CloudEvent event = CloudEventBuilder.v1().withId("e-9").withSource(URI.create("/t")).withType("x").build();

        CloudEventCodec.HttpEvent http = CloudEventCodec.write(event);

        assertThat(http.body()).isEmpty();
        assertThat(CloudEventCodec.read(http.headers(), http.body())).isEqualTo(event);
    }

    private static Map<String, String> binary(String... overrides) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce-specversion", "1.0");
        headers.put("ce-id", "e-0");
        headers.put("ce-source", "/tests");
        headers.put("ce-type", "dev.relay.test");
        for (int i = 0; i < overrides.length; i += 2) {
            headers.put(overrides[i], overrides[i + 1]);
        }
        return headers;
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(Runnable read, int status) {
        return assertThatThrownBy(read::run)
                .isInstanceOfSatisfying(EventRejectedException.class,
                        e -> assertThat(e.status()).isEqualTo(status));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
