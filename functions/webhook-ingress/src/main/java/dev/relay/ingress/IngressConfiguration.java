package dev.relay.ingress;

import dev.relay.ingress.alert.AlertmanagerAdapter;
import dev.relay.ingress.approval.ApprovalTarget;
import dev.relay.ingress.approval.ApprovalsController;
import dev.relay.ingress.approval.Approvers;
import dev.relay.ingress.git.GitHubAdapter;
import dev.relay.ingress.git.GitLabAdapter;
import dev.relay.ingress.git.GiteaAdapter;
import dev.relay.ingress.registry.DistributionAdapter;
import dev.relay.ingress.registry.HarborAdapter;
import dev.relay.ingress.sink.EventSink;
import dev.relay.ingress.sink.HttpEventSink;
import dev.relay.ingress.sync.ArgoCdAdapter;
import dev.relay.ingress.sync.FluxAdapter;
import dev.relay.shared.approvals.ApprovalProperties;
import dev.relay.shared.http.EventMetrics;
import dev.relay.shared.tracing.EventTracing;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Every bean of webhook-ingress; the application and relay-local both {@code @Import} it (nothing here is found by
 * component scanning). Adapters are beans in an ordered list: a new producer is one new {@link WebhookAdapter} bean.
 * Gitea comes before GitHub because Gitea also sends {@code X-GitHub-Event}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({IngressProperties.class, ApprovalProperties.class})
public class IngressConfiguration {

    /** Fail fast at start on bad properties or a provider name no adapter knows. */
    @Bean
    static LazyInitializationExcludeFilter ingressConfigurationIsEager() {
        return LazyInitializationExcludeFilter.forBeanTypes(IngressProperties.class, WebhookDispatcher.class);
    }

    @Bean
    @Order(100)
    GiteaAdapter giteaWebhookAdapter() {
        return new GiteaAdapter();
    }

    @Bean
    @Order(200)
    GitLabAdapter gitlabWebhookAdapter() {
        return new GitLabAdapter();
    }

    @Bean
    @Order(300)
    GitHubAdapter githubWebhookAdapter() {
        return new GitHubAdapter();
    }

    @Bean
    @Order(400)
    HarborAdapter harborWebhookAdapter() {
        return new HarborAdapter();
    }

    @Bean
    @Order(500)
    DistributionAdapter distributionWebhookAdapter() {
        return new DistributionAdapter();
    }

    @Bean
    @Order(600)
    ArgoCdAdapter argocdWebhookAdapter(IngressProperties properties) {
        return new ArgoCdAdapter(properties.argocd());
    }

    @Bean
    @Order(700)
    FluxAdapter fluxWebhookAdapter(IngressProperties properties) {
        return new FluxAdapter(properties.flux());
    }

    @Bean
    @Order(800)
    AlertmanagerAdapter alertmanagerWebhookAdapter(IngressProperties properties) {
        return new AlertmanagerAdapter(properties.alertmanager());
    }

    @Bean
    HttpEventSink ingressEventSink(Environment environment, IngressProperties properties, EventTracing tracing) {
        return new HttpEventSink(environment, properties, tracing);
    }

    @Bean
    WebhookDispatcher webhookDispatcher(ObjectProvider<WebhookAdapter> adapters, IngressProperties properties,
            ObjectProvider<EventSink> sink, EventTracing tracing) {
        List<WebhookAdapter> ordered = adapters.orderedStream().toList();
        return new WebhookDispatcher(ordered, properties, event -> sink.getObject().send(event), tracing);
    }

    @Bean
    ApprovalsController approvalsController(IngressProperties properties, ApprovalProperties approvals,
            Environment environment, ObjectProvider<EventSink> sink, EventMetrics metrics, EventTracing tracing) {
        return new ApprovalsController(new Approvers(properties), approvals.signature(),
                new ApprovalTarget(environment, properties, tracing), event -> sink.getObject().send(event), metrics,
                tracing);
    }

    @Bean
    WebhookController webhookController(WebhookDispatcher dispatcher, IngressProperties properties,
            EventMetrics metrics, EventTracing tracing) {
        return new WebhookController(dispatcher, properties, metrics, tracing);
    }
}
