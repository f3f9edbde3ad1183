package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.dora.DoraMetrics;
import dev.relay.shared.dora.Production;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayAnswers;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelaySources;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.http.EventRejectedException;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Reverts an environment to its last verified image: on {@code dev.relay.metric.breached} (confirmed against
 * Prometheus when the pipeline names one) or {@code dev.relay.verify.failed}. Answers
 * {@code dev.relay.rollback.completed} or {@code dev.relay.rollback.skipped}.
 */
@Component(MetricRollbackFunction.NAME)
public class MetricRollbackFunction implements Function<CloudEvent, CloudEvent> {

    public static final String NAME = "on-metric-rollback";

    private static final Logger log = LoggerFactory.getLogger(MetricRollbackFunction.class);

    private final RollbackRequestReader requests;
    private final SloCheck slo;
    private final Rollbacker rollbacker;
    private final RollbackMetrics metrics;
    private final DoraMetrics dora;

    @Autowired
    public MetricRollbackFunction(RelayProperties properties, GitOpsWriter writer,
            ObjectProvider<MeterRegistry> registry) {
        this(properties, writer, new SloCheck(new PrometheusClient(PrometheusClient.defaultHttpClient())),
                registry.getIfAvailable(SimpleMeterRegistry::new), Clock.systemUTC());
    }

    /** For tests and embedding: an explicit SLO check (Prometheus client), meter registry and clock. */
    public MetricRollbackFunction(RelayProperties properties, GitOpsWriter writer, SloCheck slo, MeterRegistry registry,
            Clock clock) {
        this.requests = new RollbackRequestReader(properties);
        this.slo = slo;
        this.rollbacker = new Rollbacker(writer, clock);
        this.metrics = new RollbackMetrics(registry);
        this.dora = new DoraMetrics(registry).registerAll(properties.pipelines().keySet());
    }

    @Override
    public CloudEvent apply(CloudEvent event) {
        RollbackOutcome outcome = switch (event.getType()) {
            case RelayEventTypes.METRIC_BREACHED -> afterBreach(requests.metricBreached(event));
            case RelayEventTypes.VERIFY_FAILED -> rollbacker.rollBack(requests.verifyFailed(event));
            default -> throw EventRejectedException.badRequest("unsupported-event-type", "Unsupported event type",
                    NAME + " handles " + RelayEventTypes.METRIC_BREACHED + " and " + RelayEventTypes.VERIFY_FAILED
                            + ", not " + event.getType() + ".");
        };
        metrics.record(outcome);
        if (outcome instanceof RollbackOutcome.RolledBack rolledBack && !rolledBack.alreadyApplied()
                && Production.is(outcome.request().pipeline(), outcome.request().environment().name())) {
            dora.rolledBack(outcome.request().app());
        }
        return answer(event, outcome);
    }

    private RollbackOutcome afterBreach(RollbackRequest request) {
        if (!SloCheck.configured(request.pipeline())) {
            return rollbacker.rollBack(request);
        }
        Optional<RollbackOutcome.RolledBack> applied = rollbacker.alreadyApplied(request);
        if (applied.isPresent()) {
            return applied.get();
        }
        RelayProperties.Rollback config = request.pipeline().rollback();
        SloCheck.Verdict verdict = slo.evaluate(request.app(), request.environment().name(), config);
        if (verdict instanceof SloCheck.Healthy healthy) {
            return new RollbackOutcome.Skipped(request, "not-confirmed",
                    "not confirmed by Prometheus: " + healthy.description(), null);
        }
        if (verdict instanceof SloCheck.NoData none) {
            if (config.onMissingData() != RelayProperties.OnMissingData.ROLLBACK) {
                return new RollbackOutcome.Skipped(request, "no-data", "no data: Prometheus has no value of the SLO"
                        + " query (" + none.description() + "); on-missing-data is skip", null);
            }
            return rollbacker.rollBack(new RollbackRequest(request.eventId(), request.trace(), request.app(),
                    request.pipeline(), request.environment(), request.cause(), null, null, request.metric(),
                    request.metricValue(), request.threshold(),
                    "Prometheus: no data (" + none.description() + "), on-missing-data: rollback",
                    request.breachedAt()));
        }
        SloCheck.Breached breached = (SloCheck.Breached) verdict;
        return rollbacker.rollBack(request.confirmedBy(breached.value(), "Prometheus: " + breached.description()));
    }

    private static CloudEvent answer(CloudEvent cause, RollbackOutcome outcome) {
        RollbackRequest request = outcome.request();
        String environment = request.environment().name();
        if (outcome instanceof RollbackOutcome.RolledBack rolledBack) {
            log.info("rolled back {}/{} from {} to {} in commit {} ({}{})", request.app(), environment,
                    rolledBack.fromImage(), rolledBack.toImage(), rolledBack.commit(), request.cause().code(),
                    rolledBack.alreadyApplied() ? ", redelivery" : "");
            return RelayAnswers.answer(cause, RelayEventTypes.ROLLBACK_COMPLETED, RelaySources.ON_METRIC_ROLLBACK,
                    new Payloads.Rollback(request.app(), environment, rolledBack.fromImage(), rolledBack.toImage(),
                            rolledBack.commit(), request.cause().code()),
                    request.app(), environment);
        }
        RollbackOutcome.Skipped skipped = (RollbackOutcome.Skipped) outcome;
        log.info("no rollback of {}/{}: {}", request.app(), environment, skipped.reason());
        return RelayAnswers.answer(cause, RelayEventTypes.ROLLBACK_SKIPPED, RelaySources.ON_METRIC_ROLLBACK,
                new Payloads.Rollback(request.app(), environment, skipped.fromImage(), null, null, skipped.reason()),
                request.app(), environment);
    }
}
