package dev.relay.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.ingress.git.GitHubAdapter;
import dev.relay.ingress.git.GitLabAdapter;
import dev.relay.ingress.git.GiteaAdapter;
import dev.relay.ingress.registry.DistributionAdapter;
import dev.relay.ingress.registry.HarborAdapter;
import dev.relay.ingress.alert.AlertmanagerAdapter;
import dev.relay.ingress.sync.ArgoCdAdapter;
import dev.relay.ingress.sync.FluxAdapter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which adapter a request reaches, in the order {@link IngressConfiguration} declares them. */
class WebhookRecognitionTest {

    static final List<WebhookAdapter> ADAPTERS = List.of(new GiteaAdapter(), new GitLabAdapter(), new GitHubAdapter(),
            new HarborAdapter(), new DistributionAdapter(),
            new ArgoCdAdapter(new IngressProperties.ArgoCd(null)), new FluxAdapter(new IngressProperties.Flux(null, null)),
            new AlertmanagerAdapter(new IngressProperties.Alertmanager(null, null, null, null)));

    @Test
    void shouldTellProducersFromTheirHeaders() {
        assertThat(producer(Map.of("x-github-event", "push"), "{}")).contains("github");
        assertThat(producer(Map.of("X-Gitlab-Event", "Push Hook"), "{}")).contains("gitlab");
        assertThat(producer(Map.of("X-Gitea-Event", "push", "X-GitHub-Event", "push", "X-Gogs-Event", "push"), "{}"))
                .contains("gitea");
        assertThat(producer(Map.of("X-Forgejo-Event", "push"), "{}")).contains("gitea");
        assertThat(producer(Map.of("X-Gogs-Event", "push"), "{}")).isEmpty();
    }

    @Test
    void shouldTellProducersFromTheirBodies() {
        assertThat(producer(Map.of("Content-Type", "application/json"),
                "{\"type\":\"PUSH_ARTIFACT\",\"occur_at\":1,\"operator\":\"admin\",\"event_data\":{}}"))
                .contains("harbor");
        assertThat(producer(Map.of("ce-type", "harbor.artifact.pushed", "ce-specversion", "1.0"), "{}"))
                .contains("harbor");
        assertThat(producer(Map.of("Content-Type", "application/cloudevents+json"),
                "{\"specversion\":\"1.0\",\"type\":\"harbor.artifact.pushed\",\"data\":{}}")).contains("harbor");
        assertThat(producer(Map.of("Content-Type", "application/vnd.docker.distribution.events.v1+json"),
                "{\"events\":[]}")).contains("distribution");
        assertThat(producer(Map.of("Content-Type", "application/vnd.docker.distribution.events.v2+json"),
                "{\"events\":[]}")).contains("distribution");
        assertThat(producer(Map.of("Content-Type", "application/json"),
                "{\"events\":[{\"action\":\"push\",\"target\":{}}]}")).contains("distribution");
        assertThat(producer(Map.of(), "{\"involvedObject\":{\"kind\":\"Kustomization\"},\"reason\":\"ReconciliationSucceeded\"}"))
                .contains("flux");
        assertThat(producer(Map.of(), "{\"app\":{\"status\":{\"sync\":{\"status\":\"Synced\"}}}}")).contains("argocd");
        assertThat(producer(Map.of(), "{\"source\":\"argocd\",\"application\":\"web\"}")).contains("argocd");
        assertThat(producer(Map.of("Gotk-Component", "kustomize-controller"), "{}")).contains("flux");
        assertThat(producer(Map.of(), "{\"version\":\"4\",\"alerts\":[]}")).contains("alertmanager");
        assertThat(producer(Map.of(), "{\"version\":\"3\",\"alerts\":[]}")).isEmpty();
    }

    @Test
    void shouldLetTheHintDecide() {
        WebhookRequest request = WebhookRequest.of(Map.of("X-Gitea-Event", "push"), new byte[0], "github");
        assertThat(ADAPTERS.stream().filter(a -> a.recognises(request)).findFirst().map(WebhookAdapter::producer))
                .contains("github");
    }

    private static Optional<String> producer(Map<String, String> headers, String body) {
        WebhookRequest request = WebhookRequest.of(headers, body.getBytes(StandardCharsets.UTF_8), null);
        return ADAPTERS.stream().filter(a -> a.recognises(request)).findFirst().map(WebhookAdapter::producer);
    }
}
