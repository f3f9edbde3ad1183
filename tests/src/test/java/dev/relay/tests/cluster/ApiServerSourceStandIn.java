package dev.relay.tests.cluster;

import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for Knative Eventing's ApiServerSource adapter of one rendered {@code ApiServerSource} in Resource mode:
 * polls the API server for the kinds in {@code spec.resources} (with their label selectors) in the source's
 * namespace and posts {@code dev.knative.apiserver.resource.add} / {@code .update} to the sink (the Broker) in
 * Knative's format: {@code source} the API server's URL, {@code subject} the object's path, extensions
 * {@code kind}, {@code name}, {@code namespace}, data the whole object.
 */
final class ApiServerSourceStandIn implements AutoCloseable {

    static final String ADD = "dev.knative.apiserver.resource.add";
    static final String UPDATE = "dev.knative.apiserver.resource.update";

    private record Watched(String apiVersion, String kind, ResourceDefinitionContext context, LabelSelector selector) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final List<Watched> watched;
    private final URI sink;
    private final String apiServer;
    private final Map<String, String> seenVersions = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "apiserversource-stand-in");
        thread.setDaemon(true);
        return thread;
    });

    private ApiServerSourceStandIn(KubernetesClient client, String namespace, List<Watched> watched, URI sink) {
        this.client = client;
        this.namespace = namespace;
        this.watched = watched;
        this.sink = sink;
        this.apiServer = client.getMasterUrl().toString().replaceFirst("/$", "");
    }

    /** Starts polling for the rendered source; {@code sink} is where its {@code spec.sink} resolves. */
    static ApiServerSourceStandIn start(Map<String, Object> source, KubernetesClient client, URI sink) {
        Map<String, Object> spec = Yamls.map(source.get("spec"));
        if (!"Resource".equals(spec.get("mode"))) {
            throw new IllegalStateException("ApiServerSource " + Yamls.string(source, "metadata", "name")
                    + " must use mode Resource (the object as data); is " + spec.get("mode"));
        }
        List<Watched> watched = new ArrayList<>();
        for (Map<String, Object> resource : Yamls.maps(spec.get("resources"))) {
            String apiVersion = String.valueOf(resource.get("apiVersion"));
            String kind = String.valueOf(resource.get("kind"));
            watched.add(new Watched(apiVersion, kind, context(apiVersion, kind), selector(resource.get("selector"))));
        }
        ApiServerSourceStandIn standIn = new ApiServerSourceStandIn(client,
                Yamls.string(source, "metadata", "namespace"), List.copyOf(watched), sink);
        standIn.poller.scheduleWithFixedDelay(standIn::poll, 0, 200, TimeUnit.MILLISECONDS);
        return standIn;
    }

    /** Problems while polling or posting (a sink that refused an event, an API error). */
    List<String> errors() {
        return List.copyOf(errors);
    }

    String describe() {
        return watched.stream().map(w -> w.kind() + " (" + w.apiVersion() + ") selector " + w.selector())
                .toList() + " in namespace " + namespace;
    }

    private void poll() {
        for (Watched w : watched) {
            try {
                List<GenericKubernetesResource> items = client.genericKubernetesResources(w.context())
                        .inNamespace(namespace).withLabelSelector(w.selector()).list().getItems();
                for (GenericKubernetesResource item : items) {
                    String uid = item.getMetadata().getUid();
                    String version = item.getMetadata().getResourceVersion();
                    String before = seenVersions.put(uid, version);
                    if (before == null) {
                        post(ADD, w, item);
                    } else if (!before.equals(version)) {
                        post(UPDATE, w, item);
                    }
                }
            } catch (RuntimeException e) {
                errors.add(w.kind() + ": " + e);
            }
        }
    }

    private void post(String type, Watched w, GenericKubernetesResource item) {
        String name = item.getMetadata().getName();
        CloudEvent event = CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withType(type)
                .withSource(URI.create(apiServer))
                .withSubject(subject(w, name))
                .withTime(OffsetDateTime.now())
                .withDataContentType("application/json")
                .withExtension("kind", w.kind())
                .withExtension("name", name)
                .withExtension("namespace", namespace)
                .withData(Serialization.asJson(item).getBytes(StandardCharsets.UTF_8))
                .build();
        CloudEventHttp.Answer answer = CloudEventHttp.post(sink, event);
        if (answer.status() / 100 != 2) {
            errors.add(type + " " + subject(w, name) + " refused by the sink: " + answer.status() + " "
                    + answer.text());
        }
    }

    private String subject(Watched w, String name) {
        String prefix = w.apiVersion().contains("/") ? "/apis/" + w.apiVersion() : "/api/" + w.apiVersion();
        return prefix + "/namespaces/" + namespace + "/" + w.context().getPlural() + "/" + name;
    }

    private static ResourceDefinitionContext context(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        return new ResourceDefinitionContext.Builder()
                .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                .withVersion(apiVersion.substring(slash + 1))
                .withKind(kind)
                .withPlural(kind.toLowerCase(Locale.ROOT) + "s")
                .withNamespaced(true)
                .build();
    }

    private static LabelSelector selector(Object node) {
        Map<String, Object> selector = Yamls.map(node);
        LabelSelectorBuilder builder = new LabelSelectorBuilder();
        Yamls.map(selector.get("matchLabels")).forEach((k, v) -> builder.addToMatchLabels(k, String.valueOf(v)));
        for (Map<String, Object> expression : Yamls.maps(selector.get("matchExpressions"))) {
            builder.addToMatchExpressions(new LabelSelectorRequirementBuilder()
                    .withKey(String.valueOf(expression.get("key")))
                    .withOperator(String.valueOf(expression.get("operator")))
                    .withValues(Yamls.strings(expression.get("values")))
                    .build());
        }
        return builder.build();
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
