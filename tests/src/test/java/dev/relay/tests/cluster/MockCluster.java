package dev.relay.tests.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes API: fabric8's mock server in CRUD mode, plus what the kubelet serves through it, the logs of pods
 * ({@code GET .../pods/<pod>/log}, honouring {@code tailLines}).
 */
final class MockCluster implements AutoCloseable {

    private static final Pattern POD_LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");

    private final Map<String, String> podLogs = new ConcurrentHashMap<>();
    private final KubernetesMockServer server;

    MockCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new PodLogs(), false);
        server.init();
    }

    KubernetesClient client() {
        return server.createClient();
    }

    /** The API server's URL, as functions get it through {@code KUBERNETES_MASTER}. */
    URI url() {
        return URI.create(server.url("/"));
    }

    void podLog(String namespace, String pod, String log) {
        podLogs.put(namespace + "/" + pod, log);
    }

    @Override
    public void close() {
        server.destroy();
    }

    private final class PodLogs extends KubernetesCrudDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            Matcher log = POD_LOG.matcher(request.getPath());
            if ("GET".equals(request.getMethod()) && log.matches()) {
                String text = podLogs.get(log.group(1) + "/" + log.group(2));
                if (text == null) {
                    return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                            + "\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}");
                }
                return new MockResponse().setResponseCode(200).setBody(tail(text, log.group(3)));
            }
            return super.dispatch(request);
        }
    }

    private static String tail(String text, String query) {
        Matcher tailLines = Pattern.compile("[?&]tailLines=(\\d+)").matcher(query == null ? "" : query);
        if (!tailLines.find()) {
            return text;
        }
        List<String> lines = Arrays.asList(text.split("\n", -1));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines = lines.subList(0, lines.size() - 1);
        }
        int n = Integer.parseInt(tailLines.group(1));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size())) + "\n";
    }
}
