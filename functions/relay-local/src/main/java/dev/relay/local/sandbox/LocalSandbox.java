package dev.relay.local.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The local default: a bare config repository holding {@code apps/web-app} (a Kustomize base and overlays for
 * development, staging and production) and a {@code relay.yaml} that points the {@code web-app} pipeline at it.
 * Created once under the work directory and reused on later starts.
 */
public final class LocalSandbox {

    public static final String APP = "web-app";
    public static final String IMAGE = "localhost:5000/web-app";
    public static final String INITIAL_TAG = "0.1.0";
    /** The sandbox's one approver, allowed to decide promotions to staging and production. */
    public static final String APPROVER = "local";

    private final Path workDir;

    public LocalSandbox(Path workDir) {
        this.workDir = workDir.toAbsolutePath().normalize();
    }

    public Path workDir() {
        return workDir;
    }

    public Path configRepository() {
        return workDir.resolve("config.git");
    }

    /** The sample application's source repository, built by the local builder. */
    public Path sourceRepository() {
        return workDir.resolve("web-app-src.git");
    }

    public Path relayYaml() {
        return workDir.resolve("relay.yaml");
    }

    /** Creates what is missing; returns {@code true} when the repository was created now. */
    public boolean ensureCreated() {
        try {
            Files.createDirectories(workDir);
            boolean created = false;
            if (!Files.isDirectory(configRepository().resolve("objects"))) {
                seedRepository(configRepository(), files(), "Seed web-app with a Kustomize base and three overlays");
                created = true;
            }
            if (!Files.isDirectory(sourceRepository().resolve("objects"))) {
                seedRepository(sourceRepository(), sourceFiles(), "web-app: a static page");
            }
            writeSecretOnce(approvalSigningKey());
            writeSecretOnce(approverToken());
            if (!Files.exists(relayYaml())) {
                Files.writeString(relayYaml(), relayYamlText(), StandardCharsets.UTF_8);
            }
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Relay sandbox in " + workDir, e);
        }
    }

    /** The key webhook-ingress signs approvals with and on-scan-pass-bump checks them with (random, 0600). */
    public Path approvalSigningKey() {
        return workDir.resolve("secrets").resolve("approval-signing-key");
    }

    /** The bearer token of the sandbox's approver {@value #APPROVER} (random, 0600). */
    public Path approverToken() {
        return workDir.resolve("secrets").resolve("approvers").resolve(APPROVER);
    }

    private static void writeSecretOnce(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        Files.createDirectories(file.getParent());
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        Path temporary = Files.createTempFile(file.getParent(), ".secret-", ".tmp");
        try {
            if (Files.getFileStore(temporary).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(temporary, HexFormat.of().formatHex(random) + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private void seedRepository(Path bare, Map<String, String> content, String message) throws IOException {
        Path seed = Files.createTempDirectory(workDir, "seed-");
        try {
            try (Git git = Git.init().setDirectory(seed.toFile()).setInitialBranch("main").call()) {
                for (Map.Entry<String, String> file : content.entrySet()) {
                    Path target = seed.resolve(file.getKey());
                    Files.createDirectories(target.getParent());
                    Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
                }
                git.add().addFilepattern(".").call();
                PersonIdent relay = new PersonIdent("Relay sandbox", "relay@localhost");
                git.commit().setMessage(message)
                        .setAuthor(relay).setCommitter(relay).setSign(false).call();
                Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
                git.push().setRemote(bare.toUri().toString()).add("main").call();
            }
        } catch (GitAPIException e) {
            throw new IOException("cannot seed the sandbox repository " + bare + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(seed);
        }
    }

    static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("README.md", """
                # Relay sandbox config repository

                `apps/web-app/base` is the application; each overlay pins the image one environment runs.
                Relay's on-scan-pass-bump writes `images[].newTag` (and `digest`) of an overlay.
                """);
        files.put("apps/web-app/base/kustomization.yaml", """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - deployment.yaml
                  - service.yaml
                labels:
                  - pairs:
                      app.kubernetes.io/name: web-app
                    includeSelectors: true
                """);
        files.put("apps/web-app/base/deployment.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web-app
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      app.kubernetes.io/name: web-app
                  template:
                    metadata:
                      labels:
                        app.kubernetes.io/name: web-app
                    spec:
                      containers:
                        - name: web-app
                          image: %s:%s
                          ports:
                            - name: http
                              containerPort: 8080
                          readinessProbe:
                            httpGet:
                              path: /healthz
                              port: http
                """.formatted(IMAGE, INITIAL_TAG));
        files.put("apps/web-app/base/service.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web-app
                spec:
                  selector:
                    app.kubernetes.io/name: web-app
                  ports:
                    - name: http
                      port: 80
                      targetPort: http
                """);
        for (String environment : new String[] {"development", "staging", "production"}) {
            files.put("apps/web-app/overlays/" + environment + "/kustomization.yaml", """
                    # web-app in %1$s. Relay bumps the image below; everything else is yours.
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    namespace: web-app-%1$s
                    resources:
                      - ../../base
                    images:
                      - name: %2$s # written by Relay
                        newTag: "%3$s"
                    """.formatted(environment, IMAGE, INITIAL_TAG));
        }
        return files;
    }

    static Map<String, String> sourceFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("README.md", """
                # web-app

                A static page. relay-local's local builder copies `src/` to `out/` and packs `out/` into an OCI
                image (jib-core, no Docker daemon) at `/app`.
                """);
        files.put("src/index.html", """
                <!doctype html>
                <title>web-app</title>
                <h1>Hello from web-app, built by Relay</h1>
                """);
        return files;
    }

    /** The head commit of the sample application's {@code main}. */
    public String sourceHead() {
        try (Git git = Git.open(sourceRepository().toFile())) {
            return git.getRepository().resolve("refs/heads/main").name();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sourceRepository(), e);
        }
    }

    private String relayYamlText() {
        return """
                # Written by relay-local on first start. Edit it, or point RELAY_CONFIG at your own.
                relay:
                  ingress:
                    # The sandbox listens on 127.0.0.1 only, so webhooks are accepted without secrets, each
                    # producer on its own path /webhooks/<producer> (a WARN at start names each one).
                    allow-unauthenticated: [github, gitlab, gitea, harbor, distribution, argocd, flux, alertmanager]
                    approvers:
                      %8$s:
                        token-file: %7$s
                        environments: [staging, production]
                  approvals:
                    signing-key-file: %9$s
                  git:
                    cache-dir: %1$s
                    depth: 50
                    author-name: Relay (local)
                    author-email: relay@localhost
                  pipelines:
                    web-app:
                      image: %2$s
                      config-repo:
                        url: %3$s
                        branch: main
                      source:
                        repository: %4$s
                        branches: [main]
                      build:
                        builder: local
                        local:
                          command: ["sh", "-c", "rm -rf out && mkdir -p out && cp -R src/. out/"]
                          output-dir: out
                          work-dir: %5$s
                          image-layout-dir: %6$s
                      scan:
                        # needs the trivy binary on PATH (or scan.trivy-cli.path); without it the chain stops
                        # at dev.relay.scan.errored naming what is missing. Never a silent pass.
                        backend: trivy-cli
                      environments:
                        - name: development
                          path: apps/web-app/overlays/development/kustomization.yaml
                          strategy: kustomize
                          pin-digest: false
                        - name: staging
                          path: apps/web-app/overlays/staging/kustomization.yaml
                          strategy: kustomize
                          pin-digest: false
                        - name: production
                          path: apps/web-app/overlays/production/kustomization.yaml
                          strategy: kustomize
                          pin-digest: false
                          approval: manual
                """.formatted(workDir.resolve("cache"), IMAGE, configRepository().toUri(),
                fileUrl(sourceRepository()), workDir.resolve("build"), workDir.resolve("images"), approverToken(),
                APPROVER, approvalSigningKey());
    }

    /** {@code file:///abs/path} (a {@code Path.toUri()} ends directories with '/', which clone URLs do not). */
    static String fileUrl(Path repository) {
        String uri = repository.toUri().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /** The curl command that sends the sample app's head commit as a {@code dev.relay.git.pushed} to the broker. */
    public String pushCurlCommand(int port) {
        return "curl -i http://127.0.0.1:" + port + "/broker"
                + " -H 'ce-specversion: 1.0' -H 'ce-type: dev.relay.git.pushed' -H 'ce-source: /local/curl'"
                + " -H 'ce-id: push-" + sourceHead().substring(0, 12) + "' -H 'content-type: application/json'"
                + " -d '{\"repository\":\"" + fileUrl(sourceRepository()) + "\",\"ref\":\"refs/heads/main\","
                + "\"commit\":\"" + sourceHead() + "\",\"before\":\"0000000000000000000000000000000000000000\","
                + "\"pusher\":\"you\",\"provider\":\"local\"}'";
    }

    /** The curl command that sends a {@code dev.relay.scan.passed} for web-app to the broker on {@code port}. */
    public static String curlCommand(int port) {
        return "curl -i http://127.0.0.1:" + port + "/broker"
                + " -H 'ce-specversion: 1.0' -H 'ce-type: dev.relay.scan.passed' -H 'ce-source: /local/curl'"
                + " -H 'ce-id: demo-1-1-0' -H 'ce-relayapp: " + APP + "' -H 'content-type: application/json'"
                + " -d '{\"image\":\"" + IMAGE + "\",\"tag\":\"1.1.0\",\"digest\":\"sha256:"
                + "4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180716253443526170ff\","
                + "\"counts\":{\"critical\":0,\"high\":0,\"medium\":1,\"low\":3,\"unknown\":0},\"policy\":\"default\"}'";
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                path.toFile().setWritable(true);
                Files.delete(path);
            }
        }
    }
}
