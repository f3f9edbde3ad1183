package dev.relay.local;

import dev.relay.shared.dora.ConfigHistory;
import dev.relay.shared.dora.DoraFigures;
import dev.relay.shared.dora.DoraHistory;
import dev.relay.shared.dora.DoraReport;
import dev.relay.shared.dora.Production;
import dev.relay.shared.gitops.ConfigRepository;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code relay-local dora --repo <dir|url> [--branch b] [--app a] [--env production] [--since d] [--until d]}: the
 * DORA four keys recomputed from a config repository's history alone ({@link DoraHistory}), without starting Spring.
 */
final class DoraCommand {

    static final String NAME = "dora";
    static final String USAGE = "usage: relay-local dora --repo <path or clone URL of a config repository>"
            + " [--branch main] [--app <app>] [--env production] [--since 2026-10-01] [--until 2026-11-01]"
            + "\n  --since/--until: a date (UTC midnight) or an ISO-8601 instant; default: the first deployment or"
            + " rollback .. now";

    private DoraCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (!Set.of("--repo", "--branch", "--app", "--env", "--since", "--until").contains(key)
                    || i + 1 >= args.length) {
                err.println(key.equals("--help") ? USAGE : "unknown or incomplete option '" + key + "'\n" + USAGE);
                return key.equals("--help") ? 0 : 2;
            }
            options.put(key, args[++i]);
        }
        String repo = options.get("--repo");
        if (repo == null) {
            err.println("--repo is required\n" + USAGE);
            return 2;
        }
        String environment = options.getOrDefault("--env", "production");
        try {
            DoraHistory history = DoraHistory.of(ConfigHistory.read(repo, options.get("--branch")),
                    Production.named(environment));
            Instant until = options.containsKey("--until") ? time(options.get("--until")) : clock.instant();
            Instant since = options.containsKey("--since") ? time(options.get("--since"))
                    : history.first().orElse(until);
            List<DoraFigures> figures = new ArrayList<>();
            for (String app : options.containsKey("--app") ? Set.of(options.get("--app")) : history.apps()) {
                figures.add(history.figures(app, since, until));
            }
            out.print(DoraReport.render(new ConfigRepository(repo, "-", null).redactedUrl(), environment, figures));
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            err.println("relay-local dora: " + e.getMessage());
            return 1;
        }
    }

    private static Instant time(String text) {
        try {
            return text.contains("T") ? OffsetDateTime.parse(text).toInstant()
                    : LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a date (2026-10-01) or an ISO-8601 instant");
        }
    }
}
