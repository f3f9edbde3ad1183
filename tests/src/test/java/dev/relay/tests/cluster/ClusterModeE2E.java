package dev.relay.tests.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.testing.CloudEventHttp;
import dev.relay.shared.testing.GitHttpServer;
import dev.relay.shared.testing.TempGitRepos;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Relay as a cluster runs it, from the manifests themselves: {@code knative/} rendered by {@code kubectl kustomize},
 * every rendered Knative Service started as its own process from its function's jar, configured only by what the
 * Service gives its container (env, args, ConfigMap/Secret volumes written to a temp dir; the printed mount mapping
 * is the only difference), events routed by {@code triggers/*.yaml} and the rendered ApiServerSource through
 * relay-local's embedded broker. Around it, the parts a cluster provides: the fabric8 mock API server (CRUD), a
 * kubelet stand-in that runs Kaniko Jobs against Debian's docker-registry and Trivy Jobs with real Trivy goldens, and
 * real Git HTTP servers for the source and config repositories.
 *
 * <p>A signed GitHub push of web-app ends, through build and scan Jobs and their completion events, in a bump commit
 * pinning the digest the registry computed, with {@code Relay-Source-Commit-Time}; a push without a Dockerfile ends in
 * {@code dev.relay.build.failed}, an image with critical vulnerabilities in {@code dev.relay.scan.failed}, and neither
 * bumps anything. The kubelet stand-in finishes a Job only after its creator has answered (build.started,
 * scan.started), so no step of the chain can pass by holding its request open while a Job runs.
 */
@ExtendWith(ClusterModeE2E.TailsOnFailure.class)
class ClusterModeE2E {

    static final String NAMESPACE = "relay";
    static final Duration START_UP = Duration.ofMinutes(10);
    static final Duration CHAIN = Duration.ofMinutes(4);
    static final String GITHUB_SECRET = "cluster-e2e-github-" + UUID.randomUUID();
    static final String GIT_TOKEN = "cluster-e2e-git-token-" + UUID.randomUUID();
    static final String GIT_USER = "relay-bot";
    static final List<String> APPS = List.of("web-app", "risky-app", "broken-app");

    static Path work;
    static Path logDir;
    static RenderedManifests manifests;
    static MockCluster cluster;
    static KubernetesClient client;
    static ContainerRegistry registry;
    static GitHttpServer sourceGit;
    static GitHttpServer configGit;
    static Path configRepo;
    static RecordingSink deadLetters;
    static ClusterBroker broker;
    static ApiServerSourceStandIn apiServerSource;
    static KubeletStandIn kubelet;
    static final List<FunctionProcess> functions = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        Path repoRoot = RenderedManifests.repoRoot();
        RenderedManifests rendered = RenderedManifests.render(repoRoot.resolve("knative"));
        work = Files.createTempDirectory("relay-cluster-e2e-");
        logDir = Files.createDirectories(repoRoot.resolve("tests/target/cluster-e2e"));
        System.out.println("[cluster-e2e] work directory " + work + ", process logs in " + logDir);

        registry = ContainerRegistry.start(work.resolve("registry"), logDir);
        Path sources = Files.createDirectories(work.resolve("sources"));
        TempGitRepos.createBare(sources, "web-app", Map.of("Dockerfile", "FROM scratch\nCOPY index.html /\n",
                "index.html", "<h1>web-app</h1>\n"));
        TempGitRepos.createBare(sources, "risky-app", Map.of("Dockerfile", "FROM scratch\nCOPY app.txt /\n",
                "app.txt", "risky\n"));
        TempGitRepos.createBare(sources, "broken-app", Map.of("README.md", "no Dockerfile here\n"));
        sourceGit = GitHttpServer.start(sources);
        Path configs = Files.createDirectories(work.resolve("configs"));
        configRepo = TempGitRepos.createBare(configs, "config", overlays());
        configGit = GitHttpServer.start(configs, GIT_USER, GIT_TOKEN);

        cluster = new MockCluster();
        client = cluster.client();
        deadLetters = new RecordingSink();

        manifests = rendered.withConfigMapData("relay-config", "relay.yaml", relayYaml(rendered));
        System.out.println("[cluster-e2e] relay-config's relay.yaml, adapted to this cluster's repositories and "
                + "registry:\n" + manifests.configMapData("relay-config").get("relay.yaml"));
        Map<String, Map<String, String>> secrets = secrets();

        Map<String, URI> services = new LinkedHashMap<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<ServicePod> pods = new ArrayList<>();
        for (Map<String, Object> service : manifests.knativeServices()) {
            String name = Yamls.string(service, "metadata", "name");
            if (name.equals("relay-dead-letters")) {
                services.put(name, deadLetters.url());
                System.out.println("[cluster-e2e] relay-dead-letters (Knative's event_display image) is a recording "
                        + "sink in the test at " + deadLetters.url());
                continue;
            }
            ServicePod pod = ServicePod.of(service, manifests, n -> Optional.ofNullable(secrets.get(n)),
                    work.resolve("pods"));
            System.out.println("[cluster-e2e] mount paths of " + name + " (the only change to the manifest):\n"
                    + pod.mapping());
            int port = FunctionProcess.freePort();
            ports.put(name, port);
            services.put(name, URI.create("http://127.0.0.1:" + port));
            pods.add(pod);
        }
        broker = ClusterBroker.start(repoRoot, services, work.resolve("pods/relay-broker"), logDir);
        for (ServicePod pod : pods) {
            Map<String, String> wiring = new LinkedHashMap<>();
            wiring.put("PORT", Integer.toString(ports.get(pod.name())));
            wiring.put("K_SINK", broker.url().toString());
            wiring.put("KUBERNETES_MASTER", cluster.url().toString());
            wiring.put("KUBERNETES_NAMESPACE", NAMESPACE);
            wiring.put("KUBERNETES_TRUST_CERTIFICATES", "true");
            wiring.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
            wiring.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
            System.out.println("[cluster-e2e] starting " + pod.name() + " with env " + redacted(pod.env())
                    + " args " + pod.args() + " + cluster wiring " + wiring);
            functions.add(FunctionProcess.start(pod, FunctionProcess.jar(repoRoot, pod.name()), wiring, logDir));
        }
        broker.process().awaitReady(START_UP);
        for (FunctionProcess function : functions) {
            function.awaitReady(START_UP);
        }
        Map<String, Object> source = exactlyOne(manifests.ofKind("sources.knative.dev/", "ApiServerSource"),
                "ApiServerSource");
        assertThat(Yamls.string(source, "spec", "sink", "ref", "kind")).isEqualTo("Broker");
        apiServerSource = ApiServerSourceStandIn.start(source, cluster.client(), broker.url());
        System.out.println("[cluster-e2e] ApiServerSource stand-in watches " + apiServerSource.describe());
        kubelet = KubeletStandIn.start(cluster, NAMESPACE, work.resolve("kubelet"),
                Map.of("web-app", "alpine-310.json.golden", "risky-app", "alpine-39-high-critical.json.golden"),
                ClusterModeE2E::startAnswered, CHAIN);
    }

    @AfterAll
    static void stopCluster() {
        for (AutoCloseable closeable : new AutoCloseable[] {kubelet, apiServerSource}) {
            closeQuietly(closeable);
        }
        functions.forEach(ClusterModeE2E::closeQuietly);
        for (AutoCloseable closeable : new AutoCloseable[] {broker, deadLetters, client, cluster, sourceGit,
                configGit, registry}) {
            closeQuietly(closeable);
        }
        if (work != null) {
            TempGitRepos.deleteTree(work);
        }
    }

    @Test
    void aSignedGitHubPushIsBuiltScannedAndBumpedWithTheRegistrysDigestAndTheSourceCommitTime() throws Exception {
        RevCommit source = head("web-app");
        int commitsBefore = TempGitRepos.log(configRepo, "main").size();

        CloudEventHttp.Answer answer = push("web-app", source);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);

        ClusterBroker.Event pushed = awaitEvent("dev.relay.image.pushed", "web-app");
        Job build = onlyJob("web-app", "kaniko");
        assertThat(broker.events("dev.relay.build.started"))
                .anyMatch(e -> build.getMetadata().getName().equals(e.data().get("job")));
        String digest = terminationMessage(build);
        assertThat(digest).matches("sha256:[0-9a-f]{64}").isEqualTo(registryDigest("team/web-app",
                source.getName().substring(0, 7)));
        assertThat(data(pushed)).containsEntry("image", registry.host() + "/team/web-app")
                .containsEntry("digest", digest)
                .containsEntry("sourceCommit", source.getName());
        assertThat(Instant.parse(String.valueOf(data(pushed).get("sourceCommitTime"))))
                .isEqualTo(source.getAuthorIdent().getWhen().toInstant());

        ClusterBroker.Event passed = awaitEvent("dev.relay.scan.passed", "web-app");
        assertThat(data(passed)).containsEntry("digest", digest);
        Job scan = onlyJob("web-app", "trivy");
        assertThat(broker.events("dev.relay.scan.started"))
                .anyMatch(e -> scan.getMetadata().getName().equals(e.data().get("job")));

        ClusterBroker.Event bumped = awaitEvent("dev.relay.manifest.bumped", "web-app");
        List<RevCommit> log = TempGitRepos.log(configRepo, "main");
        assertThat(log).hasSize(commitsBefore + 1);
        RevCommit bump = log.get(0);
        assertThat(bump.getName()).isEqualTo(data(bumped).get("commit"));
        assertThat(bump.getFooterLines("Relay-App")).containsExactly("web-app");
        assertThat(bump.getFooterLines("Relay-Source-Commit-Time")).singleElement()
                .satisfies(time -> assertThat(Instant.parse(time))
                        .isEqualTo(source.getAuthorIdent().getWhen().toInstant()));
        assertThat(TempGitRepos.read(configRepo, "main", overlay("web-app")).orElseThrow()).contains(digest);
        assertNothingDeadLettered();
    }

    @Test
    void aPushWithoutADockerfileEndsInBuildFailedAndBumpsNothing() throws Exception {
        RevCommit source = head("broken-app");

        CloudEventHttp.Answer answer = push("broken-app", source);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);

        ClusterBroker.Event failed = awaitEvent("dev.relay.build.failed", "broken-app");
        Job build = onlyJob("broken-app", "kaniko");
        assertThat(data(failed)).containsEntry("job", build.getMetadata().getName())
                .containsEntry("commit", source.getName());
        assertThat(String.valueOf(data(failed))).contains("please provide a valid path to a Dockerfile");
        assertThat(broker.events("dev.relay.image.pushed")).noneMatch(e -> isFor(e, "broken-app"));
        assertNoBump("broken-app");
        assertNothingDeadLettered();
    }

    @Test
    void anImageWithCriticalVulnerabilitiesEndsInScanFailedAndBumpsNothing() throws Exception {
        RevCommit source = head("risky-app");

        CloudEventHttp.Answer answer = push("risky-app", source);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);

        ClusterBroker.Event pushed = awaitEvent("dev.relay.image.pushed", "risky-app");
        ClusterBroker.Event failed = awaitEvent("dev.relay.scan.failed", "risky-app");
        assertThat(data(failed)).containsEntry("digest", data(pushed).get("digest"));
        assertThat(String.valueOf(data(failed).get("blocking"))).contains("CVE-");
        onlyJob("risky-app", "trivy");
        assertThat(broker.events("dev.relay.scan.passed")).noneMatch(e -> isFor(e, "risky-app"));
        assertNoBump("risky-app");
        assertNothingDeadLettered();
    }

    // --- the chain's input: a GitHub push, as GitHub sends it -------------------------------------------------

    /**
     * GitHub's documented push payload with the repository and commits replaced by the app's loopback repository and
     * its head, signed with the secret the test put into relay-webhook-secrets, posted to webhook-ingress.
     */
    @SuppressWarnings("unchecked")
    private static CloudEventHttp.Answer push(String app, RevCommit head) throws Exception {
        Map<String, Object> payload;
        try (InputStream in = ClusterModeE2E.class.getResourceAsStream(
                "/webhooks/github/push-with-new-branch.payload.json")) {
            payload = EventPayloads.mapper().readValue(in.readAllBytes(), Map.class);
        }
        String url = sourceGit.url(app + ".git");
        payload.put("ref", "refs/heads/main");
        payload.put("after", head.getName());
        Map<String, Object> repository = (Map<String, Object>) payload.get("repository");
        repository.put("name", app);
        repository.put("full_name", "team/" + app);
        repository.put("clone_url", url);
        repository.put("html_url", url.replaceFirst("\\.git$", ""));
        repository.put("url", url.replaceFirst("\\.git$", ""));
        repository.put("default_branch", "main");
        Map<String, Object> commit = (Map<String, Object>) payload.get("head_commit");
        commit.put("id", head.getName());
        commit.put("tree_id", head.getTree().getName());
        commit.put("message", head.getFullMessage());
        commit.put("timestamp", head.getAuthorIdent().getWhen().toInstant().toString());
        payload.put("commits", List.of(commit));
        byte[] body = EventPayloads.mapper().writeValueAsBytes(payload);
        Map<String, String> headers = Map.of("Content-Type", "application/json", "X-GitHub-Event", "push",
                "X-GitHub-Delivery", UUID.randomUUID().toString(),
                "X-Hub-Signature-256", "sha256=" + hmacSha256(GITHUB_SECRET, body));
        URI webhooks = function("webhook-ingress").url().resolve("/webhooks");
        CloudEventHttp.Answer answer = CloudEventHttp.postRaw(webhooks, headers, body);
        for (int redelivery = 0; redelivery < 3 && answer.status() == 503; redelivery++) {
            System.out.println("[cluster-e2e] webhook-ingress answered 503 (" + answer.text() + "); redelivering the "
                    + "same delivery, as GitHub's Redeliver does");
            answer = CloudEventHttp.postRaw(webhooks, headers, body);
        }
        return answer;
    }

    // --- what the platform engineer configures --------------------------------------------------------------

    /** Secrets as {@code kubectl create secret generic} would make them (the base ships none to overwrite). */
    private static Map<String, Map<String, String>> secrets() {
        String auth = java.util.Base64.getEncoder().encodeToString("push:unused".getBytes(StandardCharsets.UTF_8));
        return Map.of(
                "relay-webhook-secrets", Map.of("github", GITHUB_SECRET, "gitlab", "unused-" + UUID.randomUUID(),
                        "gitea", "unused-" + UUID.randomUUID()),
                "relay-git-credentials", Map.of("token", GIT_TOKEN),
                "relay-registry-credentials", Map.of(".dockerconfigjson",
                        "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}"));
    }

    /** relay-config's relay.yaml, its shipped {@code relay.git} kept and its example pipeline replaced by three. */
    @SuppressWarnings("unchecked")
    private static String relayYaml(RenderedManifests rendered) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Map<String, Object> document = yaml.load(rendered.configMapData("relay-config").get("relay.yaml"));
        Map<String, Object> relay = (Map<String, Object>) document.get("relay");
        Map<String, Object> pipelines = new LinkedHashMap<>();
        for (String app : APPS) {
            pipelines.put(app, pipeline(app));
        }
        relay.put("pipelines", pipelines);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(document);
    }

    private static Map<String, Object> pipeline(String app) {
        Map<String, Object> pipeline = new LinkedHashMap<>();
        pipeline.put("image", registry.host() + "/team/" + app);
        pipeline.put("config-repo", Map.of("url", configGit.url("config.git"), "branch", "main",
                "credentials", Map.of("username", GIT_USER, "token-file", "/var/run/secrets/relay/git/token")));
        pipeline.put("environments", List.of(Map.of("name", "development", "path", overlay(app),
                "strategy", "kustomize", "pin-digest", true)));
        pipeline.put("source", Map.of("repository", sourceGit.url(app + ".git"), "branches", List.of("main")));
        pipeline.put("build", Map.of("builder", "kaniko", "namespace", NAMESPACE, "image-tag-template", "{shortSha}",
                "kaniko", Map.of("registry-secret", "relay-registry-credentials",
                        "service-account", "relay-builder")));
        pipeline.put("scan", Map.of("backend", "trivy-job",
                "trivy-job", Map.of("namespace", NAMESPACE, "registry-secret", "relay-registry-credentials")));
        return pipeline;
    }

    private static Map<String, String> overlays() {
        Map<String, String> files = new LinkedHashMap<>();
        for (String app : APPS) {
            files.put(overlay(app), """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    resources:
                      - ../../base
                    images:
                      - name: %s/team/%s
                        newTag: "0.1.0"
                    """.formatted(registry.host(), app));
        }
        return files;
    }

    private static String overlay(String app) {
        return "apps/" + app + "/overlays/development/kustomization.yaml";
    }

    /** Whether the function that created the Job answered its start event (build.started / scan.started). */
    private static boolean startAnswered(Job job) {
        String container = job.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
        String type = container.equals("kaniko") ? "dev.relay.build.started" : "dev.relay.scan.started";
        return broker.events(type).stream().anyMatch(e -> job.getMetadata().getName().equals(e.data().get("job")));
    }

    // --- observations -----------------------------------------------------------------------------------------

    private static ClusterBroker.Event awaitEvent(String type, String app) throws InterruptedException {
        await(() -> broker.events(type).stream().anyMatch(e -> isFor(e, app)),
                type + " for " + app);
        List<ClusterBroker.Event> matching = broker.events(type).stream().filter(e -> isFor(e, app)).toList();
        assertThat(matching).as("%s for %s", type, app).hasSize(1);
        return matching.get(0);
    }

    /** An event is about an app when its relayapp extension or its data's image names it. */
    private static boolean isFor(ClusterBroker.Event event, String app) {
        if (app.equals(event.extensions().get("relayapp"))) {
            return true;
        }
        Object image = data(event).get("image");
        return image != null && String.valueOf(image).endsWith("/team/" + app);
    }

    private static Map<String, Object> data(ClusterBroker.Event event) {
        return event.data();
    }

    private static Job onlyJob(String app, String container) {
        List<Job> jobs = client.batch().v1().jobs().inNamespace(NAMESPACE).withLabel("relay.dev/app", app).list()
                .getItems().stream()
                .filter(j -> container.equals(j.getSpec().getTemplate().getSpec().getContainers().get(0).getName()))
                .toList();
        assertThat(jobs).as("%s Jobs of %s", container, app).hasSize(1);
        return jobs.get(0);
    }

    private static String terminationMessage(Job job) {
        List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabel("job-name", job.getMetadata().getName())
                .list().getItems();
        assertThat(pods).hasSize(1);
        return pods.get(0).getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage();
    }

    /** The digest the registry serves for {@code repository:tag} ({@code Docker-Content-Digest}). */
    private static String registryDigest(String repository, String tag) throws Exception {
        HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + registry.host() + "/v2/" + repository + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.manifest.v1+json, "
                        + "application/vnd.docker.distribution.manifest.v2+json")
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    private static void assertNoBump(String app) {
        assertThat(TempGitRepos.log(configRepo, "main"))
                .noneMatch(c -> c.getFooterLines("Relay-App").contains(app));
        assertThat(TempGitRepos.read(configRepo, "main", overlay(app)).orElseThrow()).contains("newTag: \"0.1.0\"")
                .doesNotContain("sha256:");
        assertThat(broker.events("dev.relay.manifest.bumped")).noneMatch(e -> isFor(e, app));
    }

    private static void assertNothingDeadLettered() {
        assertThat(broker.deadLetters()).isEmpty();
        assertThat(deadLetters.received()).isEmpty();
        assertThat(apiServerSource.errors()).isEmpty();
        assertThat(kubelet.errors()).isEmpty();
    }

    private static RevCommit head(String app) {
        return TempGitRepos.log(work.resolve("sources").resolve(app + ".git"), "main").get(0);
    }

    private static FunctionProcess function(String name) {
        return functions.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    /** Polls until the condition holds; fails naming what did not happen, with the broker's events. */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + CHAIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no " + what + " within " + CHAIN + "; the broker saw:\n" + broker.describe()
                + "\nkubelet stand-in errors: " + kubelet.errors()
                + "\nApiServerSource stand-in errors: " + apiServerSource.errors());
    }

    private static <T> T exactlyOne(List<T> items, String what) {
        assertThat(items).as("rendered %s documents", what).hasSize(1);
        return items.get(0);
    }

    private static Map<String, String> redacted(Map<String, String> env) {
        Map<String, String> shown = new LinkedHashMap<>();
        env.forEach((k, v) -> shown.put(k, k.matches("(?i).*(secret|token|password).*") && !v.startsWith("/")
                ? "<redacted>" : v));
        return shown;
    }

    private static String hmacSha256(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            System.out.println("[cluster-e2e] closing " + closeable + ": " + e);
        }
    }

    /** On a failed test, prints the tail of every process's log (the full logs stay in tests/target/cluster-e2e/). */
    static final class TailsOnFailure implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            List<FunctionProcess> processes = new ArrayList<>(functions);
            if (broker != null) {
                processes.add(broker.process());
            }
            for (FunctionProcess function : processes) {
                System.out.println("[cluster-e2e] ---- last lines of " + function.name() + " ----\n"
                        + function.tail(40));
            }
            if (registry != null) {
                try {
                    List<String> lines = Files.readAllLines(registry.log());
                    System.out.println("[cluster-e2e] ---- last lines of docker-registry ----\n"
                            + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
                } catch (IOException e) {
                    System.out.println("[cluster-e2e] no docker-registry log: " + e);
                }
            }
        }
    }
}
