package dev.relay.scan.reconcile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * How on-image-scan answers a {@code dev.relay.reconcile.tick}: list each pipeline's registry tags, pick what its tag
 * policy would deploy, and repair a first environment that lacks it.
 *
 * @param maxPipelinesPerTick pipelines looked at per tick (the rest wait for later ticks; the starting pipeline turns
 *                            with the tick's time)
 * @param maxTagPages         {@code tags/list} pages read per pipeline (a repository with more tags is reported, not
 *                            half-read)
 * @param pageSize            tags per page ({@code n})
 * @param timeout             time limit of one registry request
 * @param dockerConfig        a Docker {@code config.json} with {@code auths} (basic credentials per registry host),
 *                            read at use; unset: anonymous (a registry's bearer-token challenge is still answered)
 * @param plainHttpRegistries registry hosts ({@code host[:port]}) reached over plain HTTP instead of HTTPS
 * @param repeatAfter         how long a posted repair is not posted again while its outcome is pending (a scan
 *                            that failed is not re-run every tick)
 *
 * <p>Where repairs go is read at each tick, not bound here: {@code relay.reconcile.sink}, else {@code K_SINK},
 * and the broker's OIDC token file, {@code relay.reconcile.sink-token-file} ({@link RepairSink}), so relay-local's {@code ${local.server.port}} resolves.
 */
@Validated
@ConfigurationProperties("relay.reconcile")
public record ReconcileProperties(
        @DefaultValue("20") @Min(1) @Max(1000) int maxPipelinesPerTick,
        @DefaultValue("10") @Min(1) @Max(100) int maxTagPages,
        @DefaultValue("1000") @Min(1) @Max(10000) int pageSize,
        @DefaultValue("10s") @NotNull Duration timeout,
        Path dockerConfig,
        List<String> plainHttpRegistries,
        @DefaultValue("1h") @NotNull Duration repeatAfter) {

    public ReconcileProperties {
        plainHttpRegistries = plainHttpRegistries == null ? List.of() : List.copyOf(plainHttpRegistries);
    }

    public static ReconcileProperties defaults() {
        return new ReconcileProperties(20, 10, 1000, Duration.ofSeconds(10), null, List.of(), Duration.ofHours(1));
    }
}
