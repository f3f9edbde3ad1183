package dev.relay.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * Trivy's command line for one scan, the same for the Job and the CLI:
 * {@code image --format json --quiet --no-progress [--server <url>] <repo>@<digest>}. No {@code --severity}: Trivy
 * reports everything and Relay's policy judges.
 */
public final class TrivyArgs {

    private TrivyArgs() {
    }

    public static List<String> of(String reference, String server) {
        List<String> args = new ArrayList<>(List.of("image", "--format", "json", "--quiet", "--no-progress"));
        if (server != null && !server.isBlank()) {
            args.add("--server");
            args.add(server);
        }
        args.add(reference);
        return List.copyOf(args);
    }
}
