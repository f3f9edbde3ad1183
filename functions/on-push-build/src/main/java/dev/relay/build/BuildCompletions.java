package dev.relay.build;

import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.http.Problems;
import dev.relay.shared.kubernetes.CompletionIds;
import dev.relay.shared.kubernetes.JobConditions;
import dev.relay.shared.kubernetes.JobPods;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.kubernetes.ResourceEvents;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A build's completion, as Knative's ApiServerSource reports it (a {@code dev.knative.apiserver.resource.*} event
 * whose data is the Job or PipelineRun), turned into the event that continues the chain:
 * <ul>
 * <li>a Kaniko Job that succeeded → {@code dev.relay.image.pushed} with the digest Kaniko wrote to its termination
 * message ({@code --digest-file=/dev/termination-log}), read from the Job's pod;</li>
 * <li>a Tekton PipelineRun that succeeded → {@code dev.relay.image.pushed} with its {@code IMAGE_DIGEST} result;</li>
 * <li>a failed one → {@code dev.relay.build.failed} with the reason and the last lines of the pod's log;</li>
 * <li>one still running, one that is not a Relay build, or the deletion of a finished one → no event (202).</li>
 * </ul>
 * Image, tag, source commit and its time, app and trace come from the annotations on-push-build wrote at creation
 * ({@link BuildMetadata}), validated again here. The answer's id and time derive from the object (uid, outcome,
 * completion time): a redelivered or repeated completion event answers the same event and changes nothing.
 */
public final class BuildCompletions {

    static final String FUNCTION = PushBuildFunction.NAME;

    private static final Logger log = LoggerFactory.getLogger(BuildCompletions.class);
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private final KubernetesAccess kubernetes;

    public BuildCompletions(KubernetesAccess kubernetes) {
        this.kubernetes = kubernetes;
    }

    /** The answer to a completion event; null when there is nothing to answer. */
    public CloudEvent answer(CloudEvent event) {
        GenericKubernetesResource object = ResourceEvents.object(event);
        String label = object.getKind() + " " + object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName();
        if (!ResourceEvents.isRelays(object)) {
            log.info("{} event for {} skipped: not a Relay build", event.getType(), label);
            return null;
        }
        Optional<Job> job = ResourceEvents.job(object);
        if (job.isPresent()) {
            return job.get().getMetadata().getName().startsWith("build-") ? kaniko(event, job.get(), label) : null;
        }
        if (PipelineRunFactory.KIND.equals(object.getKind())
                && object.getApiVersion().startsWith(KubernetesBuilds.PIPELINE_RUNS.getGroup() + "/")) {
            return pipelineRun(event, object, label);
        }
        log.info("{} event for {} skipped: not a Job or PipelineRun", event.getType(), label);
        return null;
    }

    private CloudEvent kaniko(CloudEvent event, Job job, String label) {
        Built built = Built.of(job, "kaniko");
        Optional<String> failure = JobConditions.failure(job);
        String namespace = job.getMetadata().getNamespace();
        JobPods pods = new JobPods(kubernetes.client(), FUNCTION);
        if (failure.isPresent()) {
            List<String> tail = pods.newest(namespace, job.getMetadata().getName())
                    .flatMap(pod -> pods.log(namespace, pod.getMetadata().getName()))
                    .map(JobPods::tail).orElse(List.of());
            return failed(built, job, failure.get(), tail, JobConditions.finishedAt(job));
        }
        if (!JobConditions.succeeded(job)) {
            return unfinished(event, built, job, label);
        }
        if (ResourceEvents.DELETE.equals(event.getType())) {
            log.info("{} deleted after it finished: its completion was answered when it finished", label);
            return null;
        }
        Optional<Pod> pod = pods.newest(namespace, job.getMetadata().getName());
        Optional<String> message = pod.flatMap(p -> JobPods.terminationMessage(p, KanikoJobFactory.CONTAINER));
        OffsetDateTime at = JobConditions.finishedAt(job);
        if (message.isEmpty() || !DIGEST.matcher(message.get()).matches()) {
            String why = pod.isEmpty() ? "its pod is gone" : message.isEmpty()
                    ? "container " + KanikoJobFactory.CONTAINER + " left no termination message"
                    : "its termination message is not a sha256 digest: " + Problems.shown(message.get(), 80);
            return failed(built, job, "Job " + job.getMetadata().getName() + " succeeded, but the image digest is"
                    + " unknown: " + why + " (Kaniko writes it with --digest-file=" + KanikoJobFactory.DIGEST_FILE
                    + "); rebuild the commit to get one", List.of(), at);
        }
        return pushed(built, job, message.get(), at);
    }

    @SuppressWarnings("unchecked")
    private CloudEvent pipelineRun(CloudEvent event, GenericKubernetesResource run, String label) {
        Built built = Built.of(run, "tekton");
        Map<String, Object> status = run.getAdditionalProperties().get("status") instanceof Map<?, ?> map
                ? (Map<String, Object>) map : Map.of();
        Map<?, ?> succeeded = condition(status, "Succeeded");
        String state = succeeded == null ? null : String.valueOf(succeeded.get("status"));
        OffsetDateTime at = JobConditions.time(status.get("completionTime") instanceof String t ? t : null);
        if ("False".equals(state)) {
            return failed(built, run, KubernetesBuilds.pipelineRunFailure(run).orElse("PipelineRun failed"), List.of(),
                    at);
        }
        if (!"True".equals(state)) {
            return unfinished(event, built, run, label);
        }
        if (ResourceEvents.DELETE.equals(event.getType())) {
            log.info("{} deleted after it finished: its completion was answered when it finished", label);
            return null;
        }
        String name = run.getMetadata().getName();
        Optional<String> digest = result(status, "IMAGE_DIGEST");
        if (digest.isEmpty() || !DIGEST.matcher(digest.get()).matches()) {
            return failed(built, run, "PipelineRun " + name + " succeeded, but " + (digest.isEmpty()
                    ? "has no IMAGE_DIGEST result" : "its IMAGE_DIGEST result is not a sha256 digest: "
                            + Problems.shown(digest.get(), 80))
                    + "; the Pipeline must publish its image's digest as result IMAGE_DIGEST", List.of(), at);
        }
        Optional<String> url = result(status, "IMAGE_URL");
        if (url.isPresent() && !repository(url.get()).equals(built.image())) {
            return failed(built, run, "PipelineRun " + name + " pushed " + Problems.shown(url.get(), 120) + ", not "
                    + built.image() + " (IMAGE_URL); the Pipeline's image param must be used as its destination",
                    List.of(), at);
        }
        return pushed(built, run, digest.get(), at);
    }

    private static CloudEvent unfinished(CloudEvent event, Built built, HasMetadata object, String label) {
        if (!ResourceEvents.DELETE.equals(event.getType())) {
            log.debug("{} of {} has not finished", label, built.app());
            return null;
        }
        return failed(built, object, object.getKind() + " " + object.getMetadata().getName()
                + " was deleted before it finished", List.of(), null);
    }

    private static CloudEvent pushed(Built built, HasMetadata object, String digest, OffsetDateTime at) {
        log.info("{} build {} of {} for {} pushed {}", built.builder(), object.getMetadata().getName(),
                built.reference(), built.app(), digest);
        return RelayAnswers.continuing(CompletionIds.of(FUNCTION, object, RelayEventTypes.IMAGE_PUSHED), at,
                RelayEventTypes.IMAGE_PUSHED, RelaySources.ON_PUSH_BUILD,
                new Payloads.ImagePushed(built.image(), built.tag(), digest, registry(built.image()),
                        built.commit(), built.commitTime()),
                built.trace(), built.app());
    }

    private static CloudEvent failed(Built built, HasMetadata object, String reason, List<String> tail,
            OffsetDateTime at) {
        log.warn("{} build {} of {} for {} failed: {}", built.builder(), object.getMetadata().getName(),
                built.reference(), built.app(), reason);
        return RelayAnswers.continuing(CompletionIds.of(FUNCTION, object, RelayEventTypes.BUILD_FAILED), at,
                RelayEventTypes.BUILD_FAILED, RelaySources.ON_PUSH_BUILD,
                new Payloads.Build(built.repository(), built.commit(), built.reference(), built.builder(),
                        object.getMetadata().getName(), reason, tail),
                built.trace(), built.app());
    }



    private static Map<?, ?> condition(Map<String, Object> status, String type) {
        if (status.get("conditions") instanceof List<?> conditions) {
            for (Object c : conditions) {
                if (c instanceof Map<?, ?> condition && type.equals(condition.get("type"))) {
                    return condition;
                }
            }
        }
        return null;
    }

    /** A result of a {@code tekton.dev/v1} ({@code status.results}) or v1beta1 ({@code status.pipelineResults}) run. */
    private static Optional<String> result(Map<String, Object> status, String name) {
        for (String field : List.of("results", "pipelineResults")) {
            if (status.get(field) instanceof List<?> results) {
                for (Object r : results) {
                    if (r instanceof Map<?, ?> result && name.equals(result.get("name"))
                            && result.get("value") instanceof String value) {
                        return Optional.of(value.strip());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** {@code host/path} of {@code host/path:tag}, {@code host/path@digest} or {@code host/path}. */
    static String repository(String reference) {
        String withoutDigest = reference.contains("@") ? reference.substring(0, reference.indexOf('@')) : reference;
        int slash = withoutDigest.lastIndexOf('/');
        int colon = withoutDigest.lastIndexOf(':');
        return colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
    }

    /** The registry host of an image repository ({@code docker.io} when the first segment is not a host). */
    static String registry(String image) {
        int slash = image.indexOf('/');
        String first = slash < 0 ? "" : image.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : "docker.io";
    }

    /**
     * What on-push-build recorded on the build object at creation, validated: a Relay-labelled object with a bad
     * annotation is refused (422), never continued with a made-up image or commit.
     */
    record Built(String app, String image, String tag, String commit, String commitTime, String trace,
            String repository, String builder) {

        String reference() {
            return image + ":" + tag;
        }

        static Built of(HasMetadata object, String builder) {
            Map<String, String> annotations = object.getMetadata().getAnnotations() == null ? Map.of()
                    : object.getMetadata().getAnnotations();
            Map<String, String> labels = object.getMetadata().getLabels();
            String name = object.getMetadata().getName();
            String app = labels.get(BuildMetadata.APP);
            String image = required(annotations, BuildMetadata.IMAGE_REPOSITORY, name);
            String tag = required(annotations, BuildMetadata.TAG, name);
            String commit = required(annotations, BuildMetadata.SOURCE_COMMIT, name);
            try {
                ImageValues.requireImageName(BuildMetadata.IMAGE_REPOSITORY, image);
                ImageValues.requireTag(BuildMetadata.TAG, tag);
            } catch (InvalidImageValueException e) {
                throw invalid(name, e.getMessage());
            }
            if (app == null || !app.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
                throw invalid(name, "label " + BuildMetadata.APP + " must be an application name");
            }
            if (!COMMIT.matcher(commit).matches()) {
                throw invalid(name, BuildMetadata.SOURCE_COMMIT + " must be a full commit id");
            }
            String commitTime = annotations.get(BuildMetadata.SOURCE_COMMIT_TIME);
            if (commitTime != null) {
                commitTime = DoraTrailers.parse(commitTime).map(DoraTrailers::format).orElseThrow(() ->
                        invalid(name, BuildMetadata.SOURCE_COMMIT_TIME + " must be an ISO-8601 date-time"));
            }
            String trace = annotations.get(BuildMetadata.TRACE);
            if (trace != null && (trace.length() > 200 || !trace.matches("[\\x21-\\x7e]+"))) {
                throw invalid(name, BuildMetadata.TRACE + " must be at most 200 printable characters");
            }
            String repository = annotations.get(BuildMetadata.REPOSITORY);
            if (repository != null && RepositoryUrl.parse(repository).isEmpty()) {
                repository = null;
            }
            return new Built(app, image, tag, commit, commitTime, trace, repository, builder);
        }

        private static String required(Map<String, String> annotations, String key, String name) {
            String value = annotations.get(key);
            if (value == null || value.isBlank()) {
                throw invalid(name, "annotation " + key + " is missing (was the build created by this version of"
                        + " on-push-build?)");
            }
            return value;
        }

        private static EventRejectedException invalid(String name, String detail) {
            return EventRejectedException.unprocessable("invalid-build-object", "The build object cannot be continued",
                    "Build " + name + ": " + detail + ".");
        }
    }
}
