package dev.relay.tests.observability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the metric names a PromQL expression reads, and the queries of a Grafana dashboard and a PrometheusRule, so
 * a test can check that every query names only metrics the code exports.
 *
 * <p>Not a PromQL parser: string literals, label matchers ({@code {...}}), range/offset durations ({@code [...]}) and
 * grouping label lists ({@code by (...)}, {@code without}, {@code on}, {@code ignoring}, {@code group_left/right})
 * are blanked out first; of the identifiers left ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}), function calls (followed by
 * {@code (}), keywords and numbers are dropped, and every other one is a metric name.
 */
final class PromQlMetricNames {

    static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan", "le", "atan2", "start", "end");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.$])[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile(
            "^\\s*(?:label_values|metrics|query_result)\\s*\\((.*)\\)\\s*$", Pattern.DOTALL);

    private PromQlMetricNames() {
    }

    /** The metric names {@code expr} reads, sorted. */
    static Set<String> of(String expr) {
        String s = STRING.matcher(expr).replaceAll("\"\"");
        s = MATCHERS.matcher(s).replaceAll("{}");
        s = RANGE.matcher(s).replaceAll("[]");
        s = GROUPING.matcher(s).replaceAll(" "); // "sum by (a) (x)" becomes "sum  (x)": a call
        Set<String> out = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String name = m.group();
            int after = m.end();
            while (after < s.length() && Character.isWhitespace(s.charAt(after))) {
                after++;
            }
            boolean call = after < s.length() && s.charAt(after) == '(';
            if (call || KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            out.add(name);
        }
        return out;
    }

    /**
     * The metric names of a Grafana template variable query: {@code label_values(metric, label)} reads
     * {@code metric}; {@code label_values(label)} reads none; anything else is PromQL.
     */
    static Set<String> ofVariableQuery(String query) {
        Matcher m = LABEL_VALUES.matcher(query);
        if (!m.matches()) {
            return of(query);
        }
        String args = m.group(1);
        int comma = args.lastIndexOf(',');
        return comma < 0 ? Set.of() : of(args.substring(0, comma));
    }

    /** Every query of a parsed Grafana dashboard, keyed by where it is ({@code panel "title" A}). */
    @SuppressWarnings("unchecked")
    static Map<String, String> dashboardQueries(Map<String, Object> dashboard) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> panel : panels(dashboard)) {
            List<Object> targets = (List<Object>) panel.getOrDefault("targets", List.of());
            for (Object t : targets) {
                Map<String, Object> target = (Map<String, Object>) t;
                out.put("panel \"" + panel.get("title") + "\" " + target.get("refId"), String.valueOf(target.get("expr")));
            }
        }
        Map<String, Object> templating = (Map<String, Object>) dashboard.getOrDefault("templating", Map.of());
        for (Object v : (List<Object>) templating.getOrDefault("list", List.of())) {
            Map<String, Object> variable = (Map<String, Object>) v;
            if (!"query".equals(variable.get("type"))) {
                continue;
            }
            Object query = variable.get("query");
            String text = query instanceof Map<?, ?> q ? String.valueOf(q.get("query")) : String.valueOf(query);
            out.put("variable $" + variable.get("name"), "label_values-query:" + text);
        }
        return out;
    }

    /** Every panel (rows' nested panels included) that is not a row. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> panels(Map<String, Object> dashboard) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object p : (List<Object>) dashboard.getOrDefault("panels", List.of())) {
            Map<String, Object> panel = (Map<String, Object>) p;
            if ("row".equals(panel.get("type"))) {
                for (Object nested : (List<Object>) panel.getOrDefault("panels", List.of())) {
                    out.add((Map<String, Object>) nested);
                }
            } else {
                out.add(panel);
            }
        }
        return out;
    }

    /** Every rule expression of a parsed PrometheusRule, keyed by group and alert/record name. */
    @SuppressWarnings("unchecked")
    static Map<String, String> ruleQueries(Map<String, Object> rule) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Object> spec = (Map<String, Object>) rule.get("spec");
        for (Object g : (List<Object>) spec.get("groups")) {
            Map<String, Object> group = (Map<String, Object>) g;
            for (Object r : (List<Object>) group.get("rules")) {
                Map<String, Object> ruleEntry = (Map<String, Object>) r;
                Object name = ruleEntry.containsKey("alert") ? ruleEntry.get("alert") : ruleEntry.get("record");
                out.put("rule " + group.get("name") + "/" + name, String.valueOf(ruleEntry.get("expr")));
            }
        }
        return out;
    }

    /**
     * For each query that names a metric not in {@code exported}, or no metric at all: "where: problem". Empty when
     * every query is fine.
     */
    static List<String> problems(Map<String, String> queries, Set<String> exported) {
        List<String> out = new ArrayList<>();
        queries.forEach((where, expr) -> {
            Set<String> names = expr.startsWith("label_values-query:")
                    ? ofVariableQuery(expr.substring("label_values-query:".length())) : of(expr);
            if (names.isEmpty()) {
                out.add(where + ": names no metric: " + expr);
            }
            for (String name : names) {
                if (!exported.contains(name)) {
                    out.add(where + ": unknown metric " + name + " in " + expr.strip());
                }
            }
        });
        return out;
    }
}
