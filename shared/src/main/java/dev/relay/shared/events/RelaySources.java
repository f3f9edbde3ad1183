package dev.relay.shared.events;

/** CloudEvent {@code source} values: {@code /relay/<function>}. */
public final class RelaySources {

    public static final String ON_PUSH_BUILD = "/relay/on-push-build";
    public static final String ON_IMAGE_SCAN = "/relay/on-image-scan";
    public static final String ON_SCAN_PASS_BUMP = "/relay/on-scan-pass-bump";
    public static final String ON_SYNC_VERIFY = "/relay/on-sync-verify";
    public static final String ON_METRIC_ROLLBACK = "/relay/on-metric-rollback";
    public static final String WEBHOOK_INGRESS = "/relay/webhook-ingress";

    private RelaySources() {
    }

    public static String of(String functionName) {
        return "/relay/" + functionName;
    }
}
