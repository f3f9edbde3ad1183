package dev.relay.scan;

import dev.relay.shared.events.EventPayloads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Harbor's vulnerability report ({@code GET .../artifacts/<digest>/additions/vulnerabilities}): an object keyed by the
 * report's MIME type ({@code application/vnd.security.vulnerability.report; version=1.1}, or the older
 * {@code application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0}) whose {@code vulnerabilities[]} have
 * {@code id}, {@code package}, {@code version}, {@code fix_version}, {@code severity}.
 */
public final class HarborReportParser {

    public static final String MIME_V11 = "application/vnd.security.vulnerability.report; version=1.1";
    public static final String MIME_V10 = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";

    /** What a request sends as {@code X-Accept-Vulnerabilities}. */
    public static final String ACCEPT = MIME_V11 + ", " + MIME_V10;

    private HarborReportParser() {
    }

    /** The report, or empty when Harbor has none for the artifact yet ({@code {}}). */
    public static java.util.Optional<ScanReport> parse(String body) {
        JsonNode root;
        try {
            root = EventPayloads.mapper().readTree(body);
        } catch (JacksonException e) {
            throw new ScanReportException("Harbor's answer is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ScanReportException("Harbor's answer is not a JSON object");
        }
        JsonNode report = null;
        for (String mime : List.of(MIME_V11, MIME_V10)) {
            for (Map.Entry<String, JsonNode> entry : root.properties()) {
                if (normalize(entry.getKey()).equals(normalize(mime))) {
                    report = entry.getValue();
                    break;
                }
            }
            if (report != null) {
                break;
            }
        }
        if (report == null || report.isNull() || (report.isObject() && report.isEmpty())) {
            return java.util.Optional.empty();
        }
        List<Finding> findings = new ArrayList<>();
        JsonNode vulnerabilities = report.get("vulnerabilities");
        if (vulnerabilities != null && vulnerabilities.isArray()) {
            for (JsonNode v : vulnerabilities) {
                String id = text(v, "id");
                if (id == null) {
                    throw new ScanReportException("a vulnerability in Harbor's report has no id");
                }
                findings.add(new Finding(id, text(v, "package"), text(v, "version"), text(v, "fix_version"),
                        Severity.parse(text(v, "severity"))));
            }
        }
        return java.util.Optional.of(new ScanReport(findings));
    }

    private static String normalize(String mime) {
        return mime.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
