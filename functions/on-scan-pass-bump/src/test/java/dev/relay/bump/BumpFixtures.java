package dev.relay.bump;

import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/** A config repository of many apps and the scan.passed events that bump them. */
final class BumpFixtures {

    static final String REGISTRY = "registry.example.com/team/";

    private BumpFixtures() {
    }

    static String overlayPath(String app) {
        return "apps/" + app + "/overlays/development/kustomization.yaml";
    }

    static String overlay(String app) {
        return """
                # %1$s in development: Relay bumps the image below.
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../base   # the shared base
                images:
                  - name: %2$s%1$s
                    newTag: '1.0.0' # single-quoted on purpose
                  - name: busybox
                    newTag: "1.36"
                """.formatted(app, REGISTRY);
    }

    static String helmValues() {
        return """
                # values for helm-app
                replicaCount: 2
                image:
                  repository: registry.example.com/team/helm-app   # pinned by Relay
                  tag: "1.0.0"
                  pullPolicy: IfNotPresent
                service:
                  port: 80
                """;
    }

    static Map<String, String> repositoryFiles(int apps) {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < apps; i++) {
            files.put(overlayPath(app(i)), overlay(app(i)));
        }
        files.put("charts/helm-app/values-development.yaml", helmValues());
        return files;
    }

    static String app(int i) {
        return "app-%02d".formatted(i);
    }

    /** Spring properties for {@code apps} kustomize pipelines and one helm pipeline on {@code repoUrl}. */
    static Map<String, String> pipelineProperties(String repoUrl, int apps) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 0; i < apps; i++) {
            String prefix = "relay.pipelines." + app(i) + ".";
            properties.put(prefix + "image", REGISTRY + app(i));
            properties.put(prefix + "config-repo.url", repoUrl);
            properties.put(prefix + "environments[0].name", "development");
            properties.put(prefix + "environments[0].path", overlayPath(app(i)));
            properties.put(prefix + "environments[1].name", "production");
            properties.put(prefix + "environments[1].path", "apps/" + app(i) + "/overlays/production/kustomization.yaml");
        }
        String helm = "relay.pipelines.helm-app.";
        properties.put(helm + "image", REGISTRY + "helm-app");
        properties.put(helm + "config-repo.url", repoUrl);
        properties.put(helm + "environments[0].name", "development");
        properties.put(helm + "environments[0].path", "charts/helm-app/values-development.yaml");
        properties.put(helm + "environments[0].strategy", "helm");
        properties.put(helm + "environments[0].tag-path", "image.tag");
        return properties;
    }

    static CloudEvent scanPassed(String app, String tag) {
        return scanPassed(app, tag, digestFor(tag)).build();
    }

    static io.cloudevents.core.builder.CloudEventBuilder scanPassed(String app, String tag, String digest) {
        return CloudEventHttp.event(RelayEventTypes.SCAN_PASSED,
                        new Payloads.Scan(REGISTRY + app, tag, digest, new Payloads.SeverityCounts(0, 0, 1, 2, 0),
                                "default", java.util.List.of(), null, "0123456789abcdef0123456789abcdef01234567"))
                .withExtension(RelayExtensions.APP, app)
                .withExtension(RelayExtensions.TRACE, "trace-" + app + "-" + tag.replaceAll("[^A-Za-z0-9.-]", "_"));
    }

    static String digestFor(String tag) {
        StringBuilder hex = new StringBuilder();
        int seed = tag.hashCode();
        while (hex.length() < 64) {
            seed = seed * 1103515245 + 12345;
            hex.append("%08x".formatted(seed));
        }
        return "sha256:" + hex.substring(0, 64);
    }
}
