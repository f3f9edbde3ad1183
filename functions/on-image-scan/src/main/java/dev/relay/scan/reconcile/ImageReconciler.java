package dev.relay.scan.reconcile;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitOpsException;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.ledger.AppliedImages;
import dev.relay.shared.ledger.RollbackHolds;
import dev.relay.shared.ordering.TagPolicy;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * on-image-scan's reconcile: on a reconcile tick ({@code dev.knative.sources.ping} from the PingSource
 * {@code relay-reconcile}), for at most {@code relay.reconcile.max-pipelines-per-tick} pipelines, list the registry's tags, pick the newest one the
 * pipeline's tag policy allows, resolve its digest, and when the first environment's applied record
 * ({@code .relay/applied/<app>/<env>.yaml}) lacks it and nothing newer is there, post an ordinary
 * {@code dev.relay.image.pushed} with the id {@code reconcile-<app>-<digest>} to the broker, so the normal chain scans
 * and bumps it. The answer is a summary: {@code dev.relay.reconcile.completed}, or {@code dev.relay.reconcile.errored}
 * naming each registry or config repository that could not be read.
 *
 * <p>Cheap when nothing changed: the tag list is asked for with the last ETag, and a digest already found in the
 * first environment is not looked up in Git again. Nothing kept here is a durable fact: after a restart the next tick
 * asks again and the deterministic repair ids make a repeated repair one effect.
 */
public final class ImageReconciler {

    public static final String REPAIR_PREFIX = "reconcile-";
    private static final Logger log = LoggerFactory.getLogger(ImageReconciler.class);

    private final RelayProperties relay;
    private final ReconcileProperties properties;
    private final GitOpsWriter git;
    private final RegistryClient registry;
    private final RepairSink sink;
    private final Clock clock;
    private final Map<String, String> presentDigests = new ConcurrentHashMap<>();
    private final Map<String, Instant> posted = new ConcurrentHashMap<>();

    public ImageReconciler(RelayProperties relay, ReconcileProperties properties, GitOpsWriter git,
            RegistryClient registry, RepairSink sink, Clock clock) {
        this.relay = relay;
        this.properties = properties;
        this.git = git;
        this.registry = registry;
        this.sink = sink;
        this.clock = clock;
    }

    /** The deterministic id of the repair that carries {@code digest} to {@code app}'s first environment. */
    public static String repairId(String app, String digest) {
        return REPAIR_PREFIX + app + "-" + digest;
    }

    public CloudEvent reconcile(CloudEvent tick) {
        Instant now = clock.instant();
        posted.values().removeIf(at -> !at.plus(properties.repeatAfter()).isAfter(now));
        List<String> apps = relay.pipelines().keySet().stream().sorted().toList();
        int count = Math.min(apps.size(), properties.maxPipelinesPerTick());
        int start = apps.isEmpty() ? 0 : Math.floorMod(tick.getId().hashCode(), apps.size());
        List<ReconcileSummary.Repair> repaired = new ArrayList<>();
        List<String> upToDate = new ArrayList<>();
        List<ReconcileSummary.Note> skipped = new ArrayList<>();
        List<ReconcileSummary.Note> errors = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String app = apps.get((start + i) % apps.size());
            RelayProperties.Pipeline pipeline = relay.pipelines().get(app);
            try {
                Check check = check(app, pipeline);
                if (check instanceof Check.Repair repair) {
                    sink.send(RelayAnswers.start(repair.value().eventId(), RelayEventTypes.IMAGE_PUSHED,
                            RelaySources.ON_IMAGE_SCAN, new Payloads.ImagePushed(pipeline.image(),
                                    repair.value().tag(), repair.value().digest(),
                                    RegistryClient.Repository.of(pipeline.image()).host(), null), app));
                    posted.put(repair.value().eventId(), clock.instant());
                    log.info("reconcile: {} lacks {}:{} ({}) in {}; posted {}", app, pipeline.image(),
                            repair.value().tag(), repair.value().digest(), repair.value().environment(),
                            repair.value().eventId());
                    repaired.add(repair.value());
                } else if (check instanceof Check.Skip skip) {
                    skipped.add(new ReconcileSummary.Note(app, skip.reason()));
                } else {
                    upToDate.add(app);
                }
            } catch (RegistryException e) {
                log.warn("reconcile: {}: {}", app, e.getMessage());
                errors.add(new ReconcileSummary.Note(app, "registry: " + e.getMessage()));
            } catch (GitOpsException e) {
                log.warn("reconcile: {}: config repository: {}", app, e.getMessage());
                errors.add(new ReconcileSummary.Note(app, "config repository "
                        + pipeline.configRepo().toConfigRepository().redactedUrl() + ": " + e.getMessage()));
            }
        }
        ReconcileSummary summary = new ReconcileSummary("on-image-scan", count, apps.size() - count, repaired,
                upToDate, skipped, errors);
        return RelayAnswers.answer(tick, errors.isEmpty() ? RelayEventTypes.RECONCILE_COMPLETED
                : RelayEventTypes.RECONCILE_ERRORED, RelaySources.ON_IMAGE_SCAN, summary);
    }

    /** What reconcile found for one pipeline. */
    sealed interface Check {
        record Repair(ReconcileSummary.Repair value) implements Check {
        }

        record UpToDate() implements Check {
        }

        record Skip(String reason) implements Check {
        }
    }

    private Check check(String app, RelayProperties.Pipeline pipeline) throws RegistryException {
        TagPolicy policy = TagPolicy.of(pipeline.tags());
        RegistryClient.TagList list = registry.tags(pipeline.image());
        Optional<String> newest = newest(policy, list.tags());
        if (newest.isEmpty()) {
            return new Check.Skip(list.tags().isEmpty() ? "no tags in " + pipeline.image()
                    : "none of " + list.tags().size() + " tags is one the tag policy allows and can order from the"
                            + " registry alone");
        }
        String tag = newest.get();
        String digest = registry.digest(pipeline.image(), tag);
        String environment = pipeline.firstEnvironment().name();
        if (digest.equals(presentDigests.get(app))) {
            return new Check.UpToDate();
        }
        ConfigRepository repo = pipeline.configRepo().toConfigRepository();
        Optional<AppliedImages.Record> record = git.readFile(repo, AppliedImages.path(app, environment))
                .map(text -> AppliedImages.parse(text, app, environment));
        AppliedImages.Entry mark = record.map(AppliedImages.Record::newest).orElse(null);
        if (mark != null) {
            if (mark.digest().equals(digest)) {
                presentDigests.put(app, digest);
                return new Check.UpToDate();
            }
            TagPolicy.Comparison comparison = policy.compare(new TagPolicy.Image(tag, digest, null),
                    new TagPolicy.Image(mark.tag(), mark.digest(), mark.sourceCommitTime()));
            if (comparison != TagPolicy.Comparison.NEWER) {
                return new Check.Skip(environment + " has " + mark.tag() + " (" + mark.digest() + "), "
                        + (comparison == TagPolicy.Comparison.UNKNOWN ? "which the tag policy cannot order against "
                        : "not older than ") + tag);
            }
        }
        boolean held = git.readFile(repo, RollbackHolds.path(app, environment))
                .filter(text -> text.contains(digest)).isPresent();
        if (held) {
            return new Check.Skip(digest + " is held out of " + environment + " by a rollback");
        }
        String id = repairId(app, digest);
        Instant last = posted.get(id);
        if (last != null && last.plus(properties.repeatAfter()).isAfter(clock.instant())) {
            return new Check.Skip("repair " + id + " posted at " + last + " is still pending");
        }
        return new Check.Repair(new ReconcileSummary.Repair(app, environment, id, pipeline.image(), tag, digest));
    }

    /** The newest tag the policy allows, among those it can order from their names alone. */
    static Optional<String> newest(TagPolicy policy, List<String> tags) {
        String best = null;
        for (String tag : tags) {
            TagPolicy.Image image = new TagPolicy.Image(tag, null, null);
            if (policy.filtersTag(tag).isPresent() || policy.compare(image, image) != TagPolicy.Comparison.SAME) {
                continue;
            }
            if (best == null || policy.compare(image, new TagPolicy.Image(best, null, null))
                    == TagPolicy.Comparison.NEWER) {
                best = tag;
            }
        }
        return Optional.ofNullable(best);
    }
}
