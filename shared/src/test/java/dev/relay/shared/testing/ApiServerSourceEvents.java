package dev.relay.shared.testing;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;

/**
 * The CloudEvents Knative's ApiServerSource ({@code mode: Resource}) sends for an object, in the format of Knative's
 * documented examples ({@code ../shared/fixtures/knative/apiserversource-events/}): type
 * {@code dev.knative.apiserver.resource.add|update|delete}, source the API server's URL, subject the object's path as
 * the adapter builds it ({@code /apis/<apiVersion>/namespaces/<ns>/<lower-case kind>s/<name>}), extensions
 * {@code kind}, {@code name}, {@code namespace}, a fresh id per event, and the whole object as JSON data.
 */
public final class ApiServerSourceEvents {

    public static final String ADD = "dev.knative.apiserver.resource.add";
    public static final String UPDATE = "dev.knative.apiserver.resource.update";
    public static final String DELETE = "dev.knative.apiserver.resource.delete";
    public static final String SOURCE = "https://10.96.0.1:443";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ApiServerSourceEvents() {
    }

    public static CloudEvent update(HasMetadata object) {
        return of(UPDATE, object);
    }

    public static CloudEvent of(String type, HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName();
        return CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withType(type)
                .withSource(URI.create(SOURCE))
                .withSubject("/apis/" + object.getApiVersion() + "/namespaces/" + namespace + "/"
                        + object.getKind().toLowerCase(Locale.ROOT) + "s/" + name)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withExtension("kind", object.getKind())
                .withExtension("name", name)
                .withExtension("namespace", namespace)
                .withData(SERIALIZATION.asJson(object).getBytes(StandardCharsets.UTF_8))
                .build();
    }
}
