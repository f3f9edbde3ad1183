package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.dora.DoraTrailers;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.kubernetes.CompletionIds;
import dev.relay.shared.kubernetes.JobConditions;
import dev.relay.shared.kubernetes.KubernetesAccess;
import dev.relay.shared.kubernetes.ResourceEvents;
import dev.relay.shared.yaml.ImageValues;
import dev.relay.shared.yaml.InvalidImageValueException;
import io.cloudevents.CloudEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Trivy Job's completion, as Knative's ApiServerSource reports it (a {@code dev.knative.apiserver.resource.*} event
 * whose data is the Job): the report is read from the Job's pod log and judged by the pipeline's policy →
 * {@code dev.relay.scan.passed} / {@code .failed}; a failed Job, a missing or unreadable report, or a Job deleted
 * before it finished → {@code dev.relay.scan.errored} (never a pass). A Job still running, one that is not a Relay
 * scan, or the deletion of a finished one → no event (202).
 *
 * <p>The request (app, image, tag, digest, source commit and its time, trace) comes from the annotations
 * {@link TrivyJobFactory} wrote, validated again; the answer's id derives from the Job's uid and the verdict, its time
 * from the Job's completion: a redelivered completion answers the same event.
 */
public final class ScanCompletions {

    static final String FUNCTION = ImageScanFunction.NAME;

    private static final Logger log = LoggerFactory.getLogger(ScanCompletions.class);
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,64}");

    private final RelayProperties properties;
    private final KubernetesAccess kubernetes;
    private final ScanAnswers answers;

    ScanCompletions(RelayProperties properties, KubernetesAccess kubernetes, ScanAnswers answers) {
        this.properties = properties;
        this.kubernetes = kubernetes;
        this.answers = answers;
    }

    /** The answer to a completion event; null when there is nothing to answer. */
    public CloudEvent answer(CloudEvent event) {
        GenericKubernetesResource object = ResourceEvents.object(event);
        String label = object.getKind() + " " + object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName();
        Optional<Job> found = ResourceEvents.isRelays(object) ? ResourceEvents.job(object) : Optional.empty();
        if (found.isEmpty() || !object.getMetadata().getName().startsWith("scan-")) {
            log.info("{} event for {} skipped: not a Relay scan Job", event.getType(), label);
            return null;
        }
        Job job = found.get();
        ScanRequest request = request(job);
        KubernetesScans.JobState state = KubernetesScans.JobState.of(job);
        String name = job.getMetadata().getName();
        String namespace = job.getMetadata().getNamespace();
        boolean deleted = ResourceEvents.DELETE.equals(event.getType());
        ScanOutcome outcome;
        OffsetDateTime at;
        if (state instanceof KubernetesScans.JobState.Failed failed) {
            Optional<String> output = new KubernetesScans(kubernetes.client()).log(namespace, name);
            outcome = new ScanOutcome.Errored("Trivy " + failed.reason() + "; log tail: "
                    + output.map(OutputTail::of).orElse("(no pod log left)"));
            at = JobConditions.finishedAt(job);
        } else if (state instanceof KubernetesScans.JobState.Succeeded) {
            if (deleted) {
                log.info("{} deleted after it finished: its completion was answered when it finished", label);
                return null;
            }
            outcome = report(new KubernetesScans(kubernetes.client()), namespace, name);
            at = JobConditions.finishedAt(job);
        } else if (deleted) {
            outcome = new ScanOutcome.Errored("Trivy Job " + name + " was deleted before it finished; redeliver the"
                    + " image.pushed event to scan again");
            at = null;
        } else {
            log.debug("{} of {} has not finished", label, request.reference());
            return null;
        }
        return answers.verdict(request, outcome, (type, data) -> RelayAnswers.continuing(
                CompletionIds.of(FUNCTION, job, type), at, type, RelaySources.ON_IMAGE_SCAN, data, request.trace(),
                request.app()));
    }

    private static ScanOutcome report(KubernetesScans scans, String namespace, String name) {
        Optional<String> output = scans.log(namespace, name);
        if (output.isEmpty()) {
            return new ScanOutcome.Errored("Trivy Job " + name + " succeeded, but its pod and report are gone;"
                    + " delete the Job (kubectl -n " + namespace + " delete job " + name + ") and redeliver the"
                    + " image.pushed event to scan again");
        }
        try {
            return new ScanOutcome.Reported(TrivyReportParser.parse(output.get()), "Job " + name);
        } catch (ScanReportException e) {
            return new ScanOutcome.Errored("Trivy Job " + name + " succeeded, but its log is not a Trivy report: "
                    + e.getMessage());
        }
    }

    /** The request the Job's annotations record; a Relay-labelled Job with a bad annotation is refused (422). */
    private ScanRequest request(Job job) {
        Map<String, String> annotations = job.getMetadata().getAnnotations() == null ? Map.of()
                : job.getMetadata().getAnnotations();
        String name = job.getMetadata().getName();
        String app = job.getMetadata().getLabels().get(TrivyJobFactory.APP);
        RelayProperties.Pipeline pipeline = app == null ? null : properties.pipeline(app).orElse(null);
        if (pipeline == null) {
            throw invalid(name, "label " + TrivyJobFactory.APP + " names no configured pipeline");
        }
        String image = required(annotations, TrivyJobFactory.IMAGE_REPOSITORY, name);
        String digest = required(annotations, TrivyJobFactory.DIGEST, name);
        String tag = annotations.get(TrivyJobFactory.TAG);
        try {
            ImageValues.requireImageName(TrivyJobFactory.IMAGE_REPOSITORY, image);
            ImageValues.requireDigest(TrivyJobFactory.DIGEST, digest);
            if (tag != null) {
                ImageValues.requireTag(TrivyJobFactory.TAG, tag);
            }
        } catch (InvalidImageValueException e) {
            throw invalid(name, e.getMessage());
        }
        if (!pipeline.image().equals(image)) {
            throw invalid(name, "pipeline '" + app + "' deploys " + pipeline.image() + ", not " + image);
        }
        String commit = annotations.get(TrivyJobFactory.SOURCE_COMMIT);
        if (commit != null && !COMMIT.matcher(commit).matches()) {
            throw invalid(name, TrivyJobFactory.SOURCE_COMMIT + " must be a hexadecimal commit id");
        }
        String commitTime = annotations.get(TrivyJobFactory.SOURCE_COMMIT_TIME);
        if (commitTime != null) {
            commitTime = DoraTrailers.parse(commitTime).map(DoraTrailers::format).orElseThrow(() ->
                    invalid(name, TrivyJobFactory.SOURCE_COMMIT_TIME + " must be an ISO-8601 date-time"));
        }
        String trace = printableOrNull(annotations.get(TrivyJobFactory.TRACE));
        String eventId = printableOrNull(annotations.get(TrivyJobFactory.EVENT_ID));
        return new ScanRequest(app, pipeline.scan(), image, tag, digest, commit, eventId, trace, commitTime);
    }

    private static String printableOrNull(String value) {
        return value != null && value.length() <= 200 && value.matches("[\\x21-\\x7e]+") ? value : null;
    }

    private static String required(Map<String, String> annotations, String key, String name) {
        String value = annotations.get(key);
        if (value == null || value.isBlank()) {
            throw invalid(name, "annotation " + key + " is missing (was the Job created by this version of"
                    + " on-image-scan?)");
        }
        return value;
    }

    private static EventRejectedException invalid(String name, String detail) {
        return EventRejectedException.unprocessable("invalid-scan-job", "The scan Job cannot be continued",
                "Scan Job " + name + ": " + detail + ".");
    }


}
