package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.gitops.GitOpsWriter;
import dev.relay.shared.gitops.WriteOutcome;
import dev.relay.shared.ledger.VerificationLedger;
import dev.relay.shared.ledger.VerifiedImage;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** web-app in development (Kustomize, pinned by digest) and staging (Helm, tag only), and its verified images. */
final class RollbackFixtures {

    static final String APP = "web-app";
    static final String IMAGE = "registry.example.com/team/web-app";
    static final String DIGEST_A = "sha256:" + "a".repeat(64);
    static final String DIGEST_B = "sha256:" + "b".repeat(64);
    static final String DIGEST_C = "sha256:" + "c".repeat(64);
    static final String OVERLAY = "apps/web-app/overlays/development/kustomization.yaml";
    static final String VALUES = "charts/web-app/values-staging.yaml";

    private RollbackFixtures() {
    }

    /** The config repository: development and staging both at 2.0.0 (B). */
    static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(OVERLAY, """
                # web-app in development: Relay bumps the image below.
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../base
                images:
                  - name: registry.example.com/team/web-app
                    newTag: '2.0.0' # single-quoted on purpose
                    digest: %s
                """.formatted(DIGEST_B));
        files.put(VALUES, """
                # values for web-app in staging
                image:
                  repository: registry.example.com/team/web-app
                  tag: "2.0.0"
                """);
        return files;
    }

    static Map<String, String> pipeline(String repoUrl, Path cacheDir) {
        Map<String, String> source = new LinkedHashMap<>();
        String prefix = "relay.pipelines." + APP + ".";
        source.put(prefix + "image", IMAGE);
        source.put(prefix + "config-repo.url", repoUrl);
        source.put(prefix + "environments[0].name", "development");
        source.put(prefix + "environments[0].path", OVERLAY);
        source.put(prefix + "environments[0].pin-digest", "true");
        source.put(prefix + "environments[1].name", "staging");
        source.put(prefix + "environments[1].path", VALUES);
        source.put(prefix + "environments[1].strategy", "helm");
        source.put("relay.git.cache-dir", cacheDir.toString());
        return source;
    }

    static RelayProperties bind(Map<String, String> source) {
        return new Binder(new MapConfigurationPropertySource(source)).bind("relay", RelayProperties.class).get();
    }

    /** Records a verification the way on-sync-verify does. */
    static void verified(GitOpsWriter writer, RelayProperties properties, String environment, String tag,
            String digest) {
        WriteOutcome outcome = writer.write(properties.pipeline(APP).orElseThrow().configRepo().toConfigRepository(),
                VerificationLedger.record("verify-" + environment + "-" + tag, "trace-verify-" + tag,
                        new VerifiedImage(APP, environment, IMAGE, tag, digest, "rev-" + tag, null, Instant.now())));
        if (!(outcome instanceof WriteOutcome.Committed)) {
            throw new IllegalStateException("verification of " + tag + " not recorded: " + outcome);
        }
    }

    static CloudEvent breached(String environment, String trace) {
        return CloudEventHttp.event(RelayEventTypes.METRIC_BREACHED,
                        new Payloads.MetricBreached(APP, environment, "http_success_rate", 0.8, 0.99))
                .withSource(java.net.URI.create("/relay/webhook-ingress"))
                .withExtension(RelayExtensions.TRACE, trace).withExtension(RelayExtensions.APP, APP).build();
    }

    static CloudEvent verifyFailed(String environment, String tag, String digest) {
        return CloudEventHttp.event(RelayEventTypes.VERIFY_FAILED, new Payloads.Verify(APP, environment, IMAGE,
                        digest, List.of(new Payloads.Check("deployment-rollout", false, "0/3 available"),
                                new Payloads.Check("smoke /healthz", true, "200")), tag))
                .withExtension(RelayExtensions.TRACE, "trace-verify-failed-" + tag)
                .withExtension(RelayExtensions.APP, APP).build();
    }
}
