package dev.relay.shared.dora;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The four keys as text, one block per app (what {@code relay-local dora} prints). */
public final class DoraReport {

    private DoraReport() {
    }

    public static String render(String repository, String environment, List<DoraFigures> apps) {
        StringBuilder out = new StringBuilder();
        out.append("DORA four keys of ").append(repository).append(", production environment: ").append(environment)
                .append('\n');
        if (apps.isEmpty()) {
            out.append("no verified deployment or rollback in production found\n");
        }
        for (DoraFigures f : apps) {
            double days = Duration.between(f.since(), f.until()).toSeconds() / 86_400.0;
            out.append('\n').append(f.app()).append("  (").append(f.since()).append(" .. ").append(f.until())
                    .append(", ").append(String.format(Locale.ROOT, "%.1f", days)).append(" days)\n");
            out.append(String.format(Locale.ROOT, "  deployment frequency   %d deployments, %.2f per day%n",
                    f.deployments(), f.deploymentsPerDay()));
            out.append("  lead time for changes  ").append(f.leadTimesKnown() == 0 ? "unknown"
                    : "median " + human(f.leadTimeMedian()) + ", p90 " + human(f.leadTimeP90()))
                    .append(" (").append(f.leadTimesKnown()).append(" of ").append(f.deployments())
                    .append(" with a known source commit time)\n");
            out.append("  change failure rate    ").append(f.changeFailureRate()
                    .map(rate -> String.format(Locale.ROOT, "%.1f%%", rate * 100)).orElse("n/a"))
                    .append(" (").append(f.rollbacks()).append(f.rollbacks() == 1 ? " rollback / " : " rollbacks / ")
                    .append(f.deployments()).append(" deployments)\n");
            out.append("  time to restore        ").append(f.restores() == 0 ? "n/a"
                    : "median " + human(f.timeToRestoreMedian())).append(" (").append(f.restores())
                    .append(f.restores() == 1 ? " restore" : " restores").append(" with a known breach time)\n");
        }
        return out.toString();
    }

    /** The two largest units: {@code 1d 3h}, {@code 2h 0m}, {@code 1m 30s}, {@code 42s}. */
    public static String human(Optional<Duration> duration) {
        return duration.map(DoraReport::human).orElse("unknown");
    }

    public static String human(Duration duration) {
        long s = duration.toSeconds();
        long days = s / 86_400;
        long hours = s % 86_400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        return minutes > 0 ? minutes + "m " + seconds + "s" : seconds + "s";
    }
}
