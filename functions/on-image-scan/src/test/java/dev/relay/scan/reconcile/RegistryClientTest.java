package dev.relay.scan.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI distribution API calls of reconcile against a registry stand-in on loopback (the real registry is
 * {@code RegistryReconcileE2E}): pages, ETags, the bearer-token challenge, the manifest digest, and failures that name
 * the registry.
 */
class RegistryClientTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);

    HttpServer server;
    String host;
    final Map<String, Function<HttpExchange, Reply>> routes = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();

    record Reply(int status, Map<String, String> headers, String body) {
    }

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String target = exchange.getRequestURI().toString();
            requests.add(exchange.getRequestMethod() + " " + target + " auth=" 
                    + exchange.getRequestHeaders().getFirst("Authorization") + " inm="
                    + exchange.getRequestHeaders().getFirst("If-None-Match"));
            Function<HttpExchange, Reply> route = routes.get(exchange.getRequestURI().getPath());
            Reply reply = route == null ? new Reply(404, Map.of(), "{}") : route.apply(exchange);
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            boolean empty = reply.status() == 304 || exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(reply.status(), empty ? -1 : body.length);
            if (!empty) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        host = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    RegistryClient client(Path dockerConfig) {
        return new RegistryClient(new ReconcileProperties(20, 3, 2, Duration.ofSeconds(5), dockerConfig,
                List.of(host), Duration.ofHours(1)));
    }

    @Test
    void followsLinkPagesAndKeepsNoEtagForAListOfSeveralPages() throws Exception {
        routes.put("/v2/team/app/tags/list", ex -> ex.getRequestURI().getQuery().contains("last=")
                ? new Reply(200, Map.of("ETag", "\"p2\""), "{\"name\":\"team/app\",\"tags\":[\"1.2.0\"]}")
                : new Reply(200, Map.of("ETag", "\"p1\"", "Link",
                        "</v2/team/app/tags/list?n=2&last=1.1.0>; rel=\"next\""),
                        "{\"name\":\"team/app\",\"tags\":[\"1.0.0\",\"1.1.0\"]}"));
        RegistryClient client = client(null);

        assertThat(client.tags(host + "/team/app").tags()).containsExactly("1.0.0", "1.1.0", "1.2.0");
        assertThat(client.tags(host + "/team/app").notModified()).isFalse();
        assertThat(requests).noneMatch(r -> r.contains("inm=\"p1\""));
    }

    @Test
    void asksAgainWithTheLastEtagAndReusesTheListOn304() throws Exception {
        routes.put("/v2/team/app/tags/list", ex -> "\"v1\"".equals(ex.getRequestHeaders().getFirst("If-None-Match"))
                ? new Reply(304, Map.of("ETag", "\"v1\""), "")
                : new Reply(200, Map.of("ETag", "\"v1\""), "{\"tags\":[\"1.0.0\",\"bad tag!\"]}"));
        RegistryClient client = client(null);

        RegistryClient.TagList first = client.tags(host + "/team/app");
        RegistryClient.TagList second = client.tags(host + "/team/app");

        assertThat(first.tags()).containsExactly("1.0.0");
        assertThat(second.notModified()).isTrue();
        assertThat(second.tags()).containsExactly("1.0.0");
        assertThat(requests.get(1)).contains("inm=\"v1\"");
    }

    @Test
    void answersABearerChallengeWithATokenFetchedWithTheDockerConfigCredentials() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString("robot:s3cret".getBytes(StandardCharsets.UTF_8));
        routes.put("/token", ex -> basic.equals(ex.getRequestHeaders().getFirst("Authorization"))
                ? new Reply(200, Map.of(), "{\"token\":\"t0k\"}") : new Reply(401, Map.of(), "{}"));
        routes.put("/v2/team/app/tags/list", ex -> "Bearer t0k".equals(ex.getRequestHeaders().getFirst("Authorization"))
                ? new Reply(200, Map.of(), "{\"tags\":[\"2.0.0\"]}")
                : new Reply(401, Map.of("WWW-Authenticate", "Bearer realm=\"http://" + host
                        + "/token\",service=\"registry\",scope=\"repository:team/app:pull\""), "{}"));
        Path config = Files.writeString(dir.resolve("config.json"),
                "{\"auths\":{\"" + host + "\":{\"username\":\"robot\",\"password\":\"s3cret\"}}}");

        assertThat(client(config).tags(host + "/team/app").tags()).containsExactly("2.0.0");
        assertThat(requests).anyMatch(r -> r.startsWith("GET /token?service=registry&scope=repository%3Ateam%2Fapp"
                + "%3Apull"));
    }

    @Test
    void resolvesATagsDigestWithHead() throws Exception {
        routes.put("/v2/team/app/manifests/1.0.0", ex -> new Reply(200, Map.of("Docker-Content-Digest", DIGEST), ""));

        assertThat(client(null).digest(host + "/team/app", "1.0.0")).isEqualTo(DIGEST);
        assertThat(requests).singleElement().asString().startsWith("HEAD ");
    }

    @Test
    void refusalsAndUnreachableRegistriesNameTheRequest() throws Exception {
        routes.put("/v2/team/app/tags/list", ex -> new Reply(403, Map.of(), "{}"));
        assertThatThrownBy(() -> client(null).tags(host + "/team/app")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("GET http://" + host + "/v2/team/app/tags/list").hasMessageContaining("403");

        routes.put("/v2/team/app/tags/list", ex -> new Reply(200, Map.of("Link",
                "<http://elsewhere.example/v2/team/app/tags/list?last=x>; rel=\"next\""), "{\"tags\":[\"1\"]}"));
        assertThatThrownBy(() -> client(null).tags(host + "/team/app")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("another host");

        server.stop(0);
        assertThatThrownBy(() -> client(null).tags(host + "/team/app")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("registry unreachable").hasMessageContaining(host);
    }

    @Test
    void splitsImageNamesAsDockerDoes() {
        assertThat(RegistryClient.Repository.of("nginx"))
                .isEqualTo(new RegistryClient.Repository("registry-1.docker.io", "library/nginx"));
        assertThat(RegistryClient.Repository.of("team/app"))
                .isEqualTo(new RegistryClient.Repository("registry-1.docker.io", "team/app"));
        assertThat(RegistryClient.Repository.of("ghcr.io/org/app"))
                .isEqualTo(new RegistryClient.Repository("ghcr.io", "org/app"));
        assertThat(RegistryClient.Repository.of("localhost:5000/app"))
                .isEqualTo(new RegistryClient.Repository("localhost:5000", "app"));
    }
}
