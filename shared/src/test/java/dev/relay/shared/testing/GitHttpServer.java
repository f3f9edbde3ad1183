package dev.relay.shared.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real Git smart-HTTP server for tests: {@code com.sun.net.httpserver} in front of
 * {@code git http-backend} run as CGI, serving every repository under a project root (push enabled), on
 * 127.0.0.1 and a random port, optionally behind HTTP Basic auth.
 */
public final class GitHttpServer implements AutoCloseable {

    public static final Path HTTP_BACKEND = Path.of("/usr/lib/git-core/git-http-backend");
    private static final int THREADS = 8;

    private final Path projectRoot;
    private final String username;
    private final String password;
    private final HttpServer server;
    private final ExecutorService requests;
    private final ExecutorService pumps;
    private final AtomicInteger unauthorized = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger receivePacks = new AtomicInteger();

    private GitHttpServer(Path projectRoot, String username, String password) throws IOException {
        this.projectRoot = projectRoot.toAbsolutePath();
        this.username = username;
        this.password = password;
        this.requests = Executors.newFixedThreadPool(THREADS, daemon("git-http"));
        this.pumps = Executors.newFixedThreadPool(THREADS, daemon("git-http-stdin"));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(requests);
        server.start();
    }

    /** Serves the repositories under {@code projectRoot} (for example {@code name.git}) without auth. */
    public static GitHttpServer start(Path projectRoot) {
        return start(projectRoot, null, null);
    }

    /** Serves the repositories under {@code projectRoot}; requests need HTTP Basic {@code username:password}. */
    public static GitHttpServer start(Path projectRoot, String username, String password) {
        try {
            return new GitHttpServer(projectRoot, username, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** URL of a repository below the project root, e.g. {@code url("config.git")}. */
    public String url(String repoName) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + repoName;
    }

    /** Requests answered 401 so far. */
    public int unauthorizedCount() {
        return unauthorized.get();
    }

    /** Requests handed to git http-backend so far. */
    public int servedCount() {
        return served.get();
    }

    /** Authorized {@code POST .../git-receive-pack} requests (pushes) so far. */
    public int receivePackCount() {
        return receivePacks.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String user = null;
            if (username != null) {
                user = authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
                if (user == null) {
                    unauthorized.incrementAndGet();
                    drain(exchange.getRequestBody());
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
            }
            served.incrementAndGet();
            if ("POST".equals(exchange.getRequestMethod()) && exchange.getRequestURI().getPath().endsWith("/git-receive-pack")) {
                receivePacks.incrementAndGet();
            }
            runBackend(exchange, user);
        } catch (IOException | RuntimeException e) {
            // the client sees a broken response; nothing else to do in a test server
        }
    }

    private String authenticate(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String user = decoded.substring(0, colon);
        boolean ok = MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8), username.getBytes(StandardCharsets.UTF_8))
                & MessageDigest.isEqual(decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8),
                        password.getBytes(StandardCharsets.UTF_8));
        return ok ? user : null;
    }

    private void runBackend(HttpExchange exchange, String user) throws IOException {
        URI uri = exchange.getRequestURI();
        ProcessBuilder builder = new ProcessBuilder(HTTP_BACKEND.toString());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("GIT_"));
        env.put("GIT_PROJECT_ROOT", projectRoot.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_COUNT", "1");
        env.put("GIT_CONFIG_KEY_0", "http.receivepack");
        env.put("GIT_CONFIG_VALUE_0", "true");
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", uri.getPath());
        env.put("QUERY_STRING", Objects.requireNonNullElse(uri.getRawQuery(), ""));
        env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
        putHeader(env, exchange, "Content-Type", "CONTENT_TYPE");
        putHeader(env, exchange, "Content-Length", "CONTENT_LENGTH");
        putHeader(env, exchange, "Content-Encoding", "HTTP_CONTENT_ENCODING");
        putHeader(env, exchange, "Git-Protocol", "HTTP_GIT_PROTOCOL");
        if (user != null) {
            env.put("REMOTE_USER", user);
            env.put("AUTH_TYPE", "Basic");
        }
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        Future<?> stdin = pumps.submit(() -> {
            try (InputStream body = exchange.getRequestBody(); OutputStream out = process.getOutputStream()) {
                body.transferTo(out);
            } catch (IOException e) {
                // backend exited early; its answer says why
            }
        });
        try (InputStream stdout = new BufferedInputStream(process.getInputStream())) {
            int status = 200;
            String line;
            while (!(line = readLine(stdout)).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.split(" ", 2)[0]);
                } else {
                    exchange.getResponseHeaders().add(name, value);
                }
            }
            boolean noBody = "HEAD".equals(exchange.getRequestMethod()) || status == 204 || status == 304;
            exchange.sendResponseHeaders(status, noBody ? -1 : 0);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    stdout.transferTo(out);
                }
            }
        } finally {
            try {
                stdin.get(30, TimeUnit.SECONDS);
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                stdin.cancel(true);
            }
            process.destroy();
        }
    }

    private static void putHeader(Map<String, String> env, HttpExchange exchange, String header, String variable) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
            env.put(variable, value);
        }
    }

    /** One CGI header line without its line break; empty at the end of the header block or of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void drain(InputStream body) throws IOException {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        server.stop(0);
        requests.shutdownNow();
        pumps.shutdownNow();
    }
}
