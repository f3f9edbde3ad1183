package dev.relay.images;

import java.util.List;
import java.util.Map;

/**
 * One small event per function that goes through its whole HTTP + CloudEvent (or webhook) path and is
 * answered without Git, Kubernetes or Prometheus: used to train the AOT cache and to check the image.
 * The same probes as bench/coldstart/coldstart.py.
 */
public record Probe(String path, Map<String, String> headers, String body, int expectedStatus) {

    public static final List<String> FUNCTIONS = List.of("webhook-ingress", "on-push-build",
            "on-scan-pass-bump", "on-image-scan", "on-sync-verify", "on-metric-rollback");

    private static final String DIGEST = "sha256:4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180716253443526170ff";
    private static final String UNKNOWN_APP = "coldstart-no-such-app";

    public static Probe of(String function) {
        return switch (function) {
            case "on-scan-pass-bump" -> event("dev.relay.scan.passed", null, """
                    {"image":"registry.example.com/coldstart/none","tag":"1.0.0","digest":"%s",\
                    "counts":{"critical":0,"high":0,"medium":0,"low":0,"unknown":0},"policy":"default"}"""
                    .formatted(DIGEST));
            case "on-image-scan" -> event("dev.relay.image.pushed", null, """
                    {"image":"registry.example.com/coldstart/none","tag":"1.0.0","digest":"%s",\
                    "registry":"registry.example.com"}""".formatted(DIGEST));
            case "on-push-build" -> event("dev.relay.git.pushed", null, """
                    {"repository":"https://git.example.com/coldstart/none.git","ref":"refs/heads/main",\
                    "commit":"0123456789abcdef0123456789abcdef01234567",\
                    "before":"0000000000000000000000000000000000000000","pusher":"images","provider":"github"}""");
            case "on-sync-verify" -> event("dev.relay.sync.succeeded", "development", """
                    {"app":"%s","environment":"development",\
                    "revision":"0000000000000000000000000000000000000000","provider":"argocd"}"""
                    .formatted(UNKNOWN_APP));
            case "on-metric-rollback" -> event("dev.relay.metric.breached", "development", """
                    {"app":"%s","environment":"development","metric":"error_rate","value":0.5,"threshold":0.05}"""
                    .formatted(UNKNOWN_APP));
            case "webhook-ingress" -> new Probe("/webhooks", Map.of(
                    "content-type", "application/json",
                    "x-github-event", "ping",
                    "x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                    "user-agent", "GitHub-Hookshot/images"), """
                    {"zen":"Keep it logically awesome.","hook_id":1,\
                    "hook":{"type":"Repository","id":1,"events":["push"]}}""", 200);
            default -> throw new IllegalArgumentException("no probe for function " + function);
        };
    }

    private static Probe event(String type, String environment, String data) {
        var headers = new java.util.LinkedHashMap<String, String>();
        headers.put("ce-specversion", "1.0");
        headers.put("ce-type", type);
        headers.put("ce-source", "/relay/images");
        headers.put("ce-id", "images-probe-1");
        headers.put("ce-relayapp", UNKNOWN_APP);
        if (environment != null) {
            headers.put("ce-relayenv", environment);
        }
        headers.put("content-type", "application/json");
        return new Probe("/", Map.copyOf(headers), data, 422);
    }

    /** The relay.yaml every probe run gets (bench/coldstart's): the config repository is never opened. */
    public static final String RELAY_YAML = """
            relay:
              pipelines:
                web-app:
                  image: registry.example.com/team/web-app
                  config-repo:
                    url: file:///nonexistent/relay-coldstart/config.git
                    branch: main
                  environments:
                    - name: development
                      path: apps/web-app/overlays/development/kustomization.yaml
                      strategy: kustomize
            """;
}
