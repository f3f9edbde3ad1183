package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import java.util.Map;

/** Runs a {@link ScanRequest} on its pipeline's backend. */
public final class ScanService {

    private final Map<RelayProperties.ScanBackend, Scanner> backends;

    public ScanService(Scanner trivyJob, Scanner trivyCli, Scanner harbor) {
        this.backends = Map.of(RelayProperties.ScanBackend.TRIVY_JOB, trivyJob,
                RelayProperties.ScanBackend.TRIVY_CLI, trivyCli,
                RelayProperties.ScanBackend.HARBOR, harbor);
    }

    public ScanOutcome scan(ScanRequest request) {
        return backends.get(request.config().backend()).scan(request);
    }
}
