package dev.relay.scan;

import dev.relay.shared.events.EventPayloads;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Trivy's JSON report ({@code trivy image --format json}): {@code Results[].Vulnerabilities[]} with
 * {@code VulnerabilityID}, {@code PkgName}, {@code InstalledVersion}, {@code FixedVersion}, {@code Severity}. A result
 * without vulnerabilities has no or a {@code null} list; a report with no {@code Results} is a clean image.
 */
public final class TrivyReportParser {

    private TrivyReportParser() {
    }

    /**
     * Parses {@code output}, which may carry log lines before the JSON document (a container log mixes stderr in):
     * the report starts at the first line that starts with <code>{</code>.
     */
    public static ScanReport parse(String output) {
        String json = jsonDocument(output);
        JsonNode root;
        try {
            root = EventPayloads.mapper().readTree(json);
        } catch (JacksonException e) {
            throw new ScanReportException("Trivy's output is not a JSON report: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ScanReportException("Trivy's output is not a JSON object");
        }
        if (!root.has("SchemaVersion") && !root.has("Results") && !root.has("ArtifactName")) {
            throw new ScanReportException("Trivy's output is JSON but not a Trivy report (no SchemaVersion, Results)");
        }
        List<Finding> findings = new ArrayList<>();
        for (JsonNode result : array(root.get("Results"))) {
            for (JsonNode vulnerability : array(result.get("Vulnerabilities"))) {
                String id = text(vulnerability, "VulnerabilityID");
                if (id == null) {
                    throw new ScanReportException("a vulnerability in Trivy's report has no VulnerabilityID");
                }
                findings.add(new Finding(id, text(vulnerability, "PkgName"), text(vulnerability, "InstalledVersion"),
                        text(vulnerability, "FixedVersion"), Severity.parse(text(vulnerability, "Severity"))));
            }
        }
        return new ScanReport(findings);
    }

    static String jsonDocument(String output) {
        if (output == null || output.isBlank()) {
            throw new ScanReportException("Trivy printed no report");
        }
        if (output.stripLeading().startsWith("{")) {
            return output;
        }
        int at = output.indexOf("\n{");
        if (at < 0) {
            throw new ScanReportException("Trivy printed no JSON report: " + OutputTail.of(output));
        }
        return output.substring(at + 1);
    }

    private static Iterable<JsonNode> array(JsonNode node) {
        return node == null || !node.isArray() ? List.of() : node;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
