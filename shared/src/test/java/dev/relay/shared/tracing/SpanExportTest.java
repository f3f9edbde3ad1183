package dev.relay.shared.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import brave.handler.SpanHandler;
import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.testing.CloudEventHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.brave.AsyncZipkinSpanHandler;

/**
 * Spans leave the process only when a Zipkin endpoint is configured, decided at the first finished span (so it holds
 * in an image whose bean definitions Spring AOT fixed); by default nothing is sent and no sender exists.
 */
class SpanExportTest {

    private static final String TRACE_ID = "6e0c63257de34c92bf9efcd03927272e";

    private HttpServer zipkin;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startZipkin() throws IOException {
        zipkin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        zipkin.createContext("/api/v2/spans", exchange -> {
            try (exchange) {
                received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(202, -1);
            }
        });
        zipkin.start();
    }

    @AfterEach
    void stopZipkin() {
        zipkin.stop(0);
    }

    @Test
    void shouldSendTheHandlingSpanToTheConfiguredZipkinEndpoint() {
        try (ConfigurableApplicationContext context = start("--management.tracing.export.zipkin.endpoint="
                + "http://127.0.0.1:" + zipkin.getAddress().getPort() + "/api/v2/spans")) {
            post(context);

            await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch(b -> b.contains(TRACE_ID)));
            assertThat(String.join("", received)).contains("\"relay.function\":\"echo\"")
                    .contains("\"relaytrace\":\"export-1\"");
        }
    }

    @Test
    void shouldHaveNoSenderWithoutAnEndpoint() {
        try (ConfigurableApplicationContext context = start()) {
            CloudEventHttp.Answer answer = post(context);

            assertThat(answer.header("ce-traceparent")).contains(TRACE_ID);
            assertThat(context.getBeanProvider(BytesMessageSender.class).getIfAvailable()).isNull();
            assertThat(context.getBeanProvider(AsyncZipkinSpanHandler.class).getIfAvailable()).isNull();
            assertThat(context.getBeansOfType(SpanHandler.class).values())
                    .filteredOn(LazyZipkinSpanHandler.class::isInstance)
                    .singleElement().isInstanceOfSatisfying(LazyZipkinSpanHandler.class,
                            handler -> assertThat(handler.exporting()).isFalse());
        }
    }

    @Test
    void shouldReadTheEndpointAtTheFirstSpanNotAtStartUp() {
        try (ConfigurableApplicationContext context = start()) {
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("late",
                    Map.of(LazyZipkinSpanHandler.ENDPOINT,
                            "http://127.0.0.1:" + zipkin.getAddress().getPort() + "/api/v2/spans")));
            post(context);

            await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch(b -> b.contains(TRACE_ID)));
        }
    }

    private static ConfigurableApplicationContext start(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--server.port=0";
        all[1] = "--spring.cloud.function.definition=echo";
        System.arraycopy(args, 0, all, 2, args.length);
        return new SpringApplicationBuilder(EchoApplication.class).run(all);
    }

    private static CloudEventHttp.Answer post(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(URI.create("http://127.0.0.1:" + port + "/"), Map.of(
                "ce-specversion", "1.0", "ce-id", "export-1", "ce-type", "dev.relay.test.echo", "ce-source", "/tests",
                "ce-traceparent", "00-" + TRACE_ID + "-0123456789abcdef-01", "content-type", "application/json"),
                "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        return answer;
    }
}
