package dev.relay.tests.cluster;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;

/**
 * Stands in for the kubelet (and the Job controller) for Relay's two kinds of Job in the mock API server.
 * <ul>
 *   <li>A Kaniko Job (container {@code kaniko}) is "run" as Kaniko would: its git context is fetched over HTTP at the
 *   pinned commit, the Dockerfile looked up in it, the commit's files pushed as a real image to {@code --destination}
 *   with jib-core; the pod's termination message is the digest the registry computed. Without a Dockerfile, the pod
 *   fails with Kaniko's error in its log.</li>
 *   <li>A Trivy Job (container {@code trivy}) "prints" a real Trivy golden report as its pod's log: the one given for
 *   the Job's {@code relay.dev/app}.</li>
 * </ul>
 * Each Job gets one pod (labels {@code job-name}, {@code controller-uid}, owned by the Job), then the Job's status
 * becomes Complete or Failed as the Job controller would write it - but only once {@code startAnswered} holds for the
 * Job (the function that created it has already answered), so a function that waited for its Job inside the request
 * would never see it finish.
 */
final class KubeletStandIn implements AutoCloseable {

    static final String KANIKO_NO_DOCKERFILE = "Error: error resolving dockerfile path: please provide a valid path "
            + "to a Dockerfile within the build context with --dockerfile";

    private final KubernetesClient client;
    private final MockCluster cluster;
    private final String namespace;
    private final Path work;
    private final Map<String, String> trivyGoldenByApp;
    private final Predicate<Job> startAnswered;
    private final Duration holdAtMost;
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final ExecutorService pods = Executors.newFixedThreadPool(2, daemon("kubelet-pod"));
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(daemon("kubelet"));

    private KubeletStandIn(KubernetesClient client, MockCluster cluster, String namespace, Path work,
            Map<String, String> trivyGoldenByApp, Predicate<Job> startAnswered, Duration holdAtMost) {
        this.client = client;
        this.cluster = cluster;
        this.namespace = namespace;
        this.work = work;
        this.trivyGoldenByApp = Map.copyOf(trivyGoldenByApp);
        this.startAnswered = startAnswered;
        this.holdAtMost = holdAtMost;
    }

    /**
     * @param trivyGoldenByApp the Trivy golden (a resource under {@code /trivy/}) each app's scan prints
     * @param startAnswered    whether the function that created a Job has answered; the Job finishes only then
     * @param holdAtMost       how long a Job waits for that answer before it is reported as an error, unfinished
     */
    static KubeletStandIn start(MockCluster cluster, String namespace, Path work,
            Map<String, String> trivyGoldenByApp, Predicate<Job> startAnswered, Duration holdAtMost) {
        KubeletStandIn kubelet = new KubeletStandIn(cluster.client(), cluster, namespace, work, trivyGoldenByApp,
                startAnswered, holdAtMost);
        kubelet.poller.scheduleWithFixedDelay(kubelet::poll, 0, 200, TimeUnit.MILLISECONDS);
        return kubelet;
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    private void poll() {
        try {
            for (Job job : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
                if (started.add(job.getMetadata().getUid())) {
                    pods.submit(() -> run(job));
                }
            }
        } catch (RuntimeException e) {
            errors.add("listing Jobs: " + e);
        }
    }

    private void run(Job job) {
        String name = job.getMetadata().getName();
        try {
            Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            Outcome outcome = switch (container.getName()) {
                case "kaniko" -> kaniko(name, container);
                case "trivy" -> trivy(job);
                default -> throw new IllegalStateException("Job " + name + " runs an unknown container "
                        + container.getName());
            };
            long deadline = System.nanoTime() + holdAtMost.toNanos();
            while (!startAnswered.test(job)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the function that created it did not answer within "
                            + holdAtMost + "; the Job is left running");
                }
                Thread.sleep(200);
            }
            finish(job, container, outcome);
        } catch (Exception e) {
            errors.add("Job " + name + ": " + e);
        }
    }

    /** @param message the termination message; {@code log} the pod's log */
    private record Outcome(boolean succeeded, int exitCode, String message, String log) {
    }

    private Outcome kaniko(String job, Container container) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String arg : container.getArgs()) {
            int eq = arg.indexOf('=');
            args.put(eq < 0 ? arg : arg.substring(0, eq), eq < 0 ? "" : arg.substring(eq + 1));
        }
        String[] context = args.get("--context").split("#");
        if (context.length != 3 || !context[0].startsWith("git://")) {
            throw new IllegalStateException("Kaniko context is not git://<repo>#<ref>#<commit>: " + args.get("--context"));
        }
        boolean http = container.getEnv().stream().map(EnvVar::getName).anyMatch("GIT_PULL_METHOD"::equals);
        String url = (http ? "http://" : "https://") + context[0].substring("git://".length());
        Path checkout = Files.createTempDirectory(Files.createDirectories(work), job + "-");
        try (Git git = Git.cloneRepository().setURI(url).setDirectory(checkout.toFile()).setNoCheckout(true).call()) {
            git.checkout().setName(context[2]).call();
        }
        Path contextDir = checkout.resolve(args.getOrDefault("--context-sub-path", "")).normalize();
        String log = "INFO[0000] Resolved base name from " + args.get("--context") + "\n";
        if (!Files.isRegularFile(contextDir.resolve(args.getOrDefault("--dockerfile", "Dockerfile")))) {
            return new Outcome(false, 1, "", log + KANIKO_NO_DOCKERFILE + "\n");
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(contextDir)) {
            files = listed.filter(p -> !p.getFileName().toString().equals(".git")).sorted().toList();
        }
        String digest = Jib.fromScratch()
                .addLayer(files, AbsoluteUnixPath.get("/app"))
                .containerize(Containerizer.to(RegistryImage.named(args.get("--destination")))
                        .setAllowInsecureRegistries(true)
                        .setBaseImageLayersCache(work.resolve("jib-cache/base"))
                        .setApplicationLayersCache(work.resolve("jib-cache/application")))
                .getDigest().toString();
        return new Outcome(true, 0, digest, log + "INFO[0002] Pushed " + args.get("--destination") + "@" + digest
                + "\n");
    }

    private Outcome trivy(Job job) throws IOException {
        String app = job.getMetadata().getLabels().get("relay.dev/app");
        String golden = trivyGoldenByApp.get(app);
        if (golden == null) {
            throw new IllegalStateException("no Trivy golden given for app " + app);
        }
        try (InputStream report = KubeletStandIn.class.getResourceAsStream("/trivy/" + golden)) {
            if (report == null) {
                throw new IllegalStateException("no Trivy golden /trivy/" + golden + " on the test class path");
            }
            return new Outcome(true, 0, "", new String(report.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private void finish(Job job, Container container, Outcome outcome) {
        String jobName = job.getMetadata().getName();
        String uid = job.getMetadata().getUid();
        String podName = jobName + "-" + Long.toString(Math.abs(uid.hashCode()) % 100_000, 36);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, String> labels = new LinkedHashMap<>();
        if (job.getSpec().getTemplate().getMetadata() != null
                && job.getSpec().getTemplate().getMetadata().getLabels() != null) {
            labels.putAll(job.getSpec().getTemplate().getMetadata().getLabels());
        }
        labels.put("job-name", jobName);
        labels.put("batch.kubernetes.io/job-name", jobName);
        labels.put("controller-uid", uid);
        labels.put("batch.kubernetes.io/controller-uid", uid);
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(podName).withNamespace(namespace).withLabels(labels)
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                            .withName(jobName).withUid(uid).withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .withNewStatus()
                    .withPhase(outcome.succeeded() ? "Succeeded" : "Failed")
                    .withContainerStatuses(new ContainerStatusBuilder()
                            .withName(container.getName()).withImage(container.getImage())
                            .withReady(false).withRestartCount(0).withStarted(false)
                            .withNewState().withNewTerminated()
                                .withExitCode(outcome.exitCode())
                                .withReason(outcome.succeeded() ? "Completed" : "Error")
                                .withMessage(outcome.message().isEmpty() ? null : outcome.message())
                                .withStartedAt(now).withFinishedAt(now)
                            .endTerminated().endState()
                            .build())
                .endStatus()
                .build();
        cluster.podLog(namespace, podName, outcome.log());
        client.pods().inNamespace(namespace).resource(pod).create();

        JobStatusBuilder status = new JobStatusBuilder().withStartTime(now).withActive(0).withReady(0);
        List<io.fabric8.kubernetes.api.model.batch.v1.JobCondition> conditions = new ArrayList<>();
        if (outcome.succeeded()) {
            status.withSucceeded(1).withCompletionTime(now);
            conditions.add(condition("SuccessCriteriaMet", "CompletionsReached",
                    "Reached expected number of succeeded pods", now));
            conditions.add(condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods",
                    now));
        } else {
            status.withFailed(1);
            conditions.add(condition("FailureTarget", "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit", now));
            conditions.add(condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit",
                    now));
        }
        Job current = client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
        current.setStatus(status.withConditions(conditions).build());
        client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
    }

    private static io.fabric8.kubernetes.api.model.batch.v1.JobCondition condition(String type, String reason,
            String message, String now) {
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(now).withLastTransitionTime(now).build();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        poller.shutdownNow();
        pods.shutdownNow();
        client.close();
    }
}
