package dev.relay.verify;

import dev.relay.shared.dora.DoraHistory;
import dev.relay.shared.dora.DoraMetrics;
import dev.relay.shared.dora.Production;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.ledger.RollbackHolds;
import dev.relay.shared.ledger.VerificationLedger;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a verification in production is recorded, reads back the history it closes (the app's manifests for the
 * source commit time of the bump, the production ledger and holds for deployments and rollbacks) and counts the DORA
 * keys of that one commit with {@link DoraHistory}, as {@code relay-local dora} would. A redelivery records no commit
 * and is never passed here, so it counts nothing.
 */
final class ProductionDeployments {

    static final int HISTORY_LIMIT = 500;

    private static final Logger log = LoggerFactory.getLogger(ProductionDeployments.class);

    private final GitOpsWriter writer;
    private final DoraMetrics metrics;

    ProductionDeployments(GitOpsWriter writer, DoraMetrics metrics) {
        this.writer = writer;
        this.metrics = metrics;
    }

    void recorded(VerifyRequest request, String ledgerCommit) {
        String app = request.app();
        String environment = request.environmentName();
        if (ledgerCommit == null || !Production.is(request.pipeline(), environment)) {
            return;
        }
        List<String> paths = new ArrayList<>();
        request.pipeline().environments().forEach(e -> paths.add(e.path()));
        paths.add(VerificationLedger.path(app, environment));
        paths.add(RollbackHolds.path(app, environment));
        try {
            DoraHistory history = DoraHistory.of(
                    writer.history(request.pipeline().configRepo().toConfigRepository(), paths, HISTORY_LIMIT),
                    (a, e) -> a.equals(app) && e.equals(environment));
            history.deployment(ledgerCommit).ifPresent(metrics::deployed);
            history.restoredBy(ledgerCommit).forEach(metrics::restored);
        } catch (RuntimeException e) {
            log.warn("{}/{}: DORA keys of verification {} not counted, its history is unreadable: {}", app,
                    environment, ledgerCommit, e.toString());
        }
    }
}
