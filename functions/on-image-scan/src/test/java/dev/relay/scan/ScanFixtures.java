package dev.relay.scan;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.EventPayloads;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Pipelines bound the way Spring binds relay.yaml, image.pushed events, and the golden Trivy reports. */
final class ScanFixtures {

    static final String IMAGE = "registry.example.com/team/web-app";
    static final String DIGEST = "sha256:4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180716253443526170ff";
    static final String OTHER_DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    static final String COMMIT = "4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    static final String TRACE = "trace-image-1";

    static final String ALPINE_310 = "alpine-310.json.golden";
    static final String ALPINE_39_HIGH_CRITICAL = "alpine-39-high-critical.json.golden";
    static final String DEBIAN_BUSTER = "debian-buster.json.golden";
    static final String DISTROLESS_BASE = "distroless-base.json.golden";

    private ScanFixtures() {
    }

    /** Properties of one pipeline {@code app} whose image is scanned with {@code backend}. */
    static Map<String, String> pipeline(String app, String backend) {
        Map<String, String> p = new LinkedHashMap<>();
        String prefix = "relay.pipelines." + app + ".";
        p.put(prefix + "image", IMAGE.replace("web-app", app));
        p.put(prefix + "config-repo.url", "https://git.example.com/team/config.git");
        p.put(prefix + "environments[0].name", "development");
        p.put(prefix + "environments[0].path", "apps/" + app + "/overlays/development/kustomization.yaml");
        p.put(prefix + "scan.backend", backend);
        return p;
    }

    static RelayProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bind("relay", RelayProperties.class)
                .orElseThrow(() -> new IllegalStateException("nothing bound"));
    }

    static CloudEvent pushed(String image, String tag, String digest) {
        return CloudEventHttp.event(RelayEventTypes.IMAGE_PUSHED,
                        new Payloads.ImagePushed(image, tag, digest, "registry.example.com", COMMIT))
                .withExtension(RelayExtensions.TRACE, TRACE)
                .build();
    }

    static CloudEvent pushed(String digest) {
        return pushed(IMAGE, "1.2.0", digest);
    }

    static String golden(String name) {
        try (InputStream in = ScanFixtures.class.getResourceAsStream("/trivy/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String path) {
        try (InputStream in = ScanFixtures.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(CloudEvent event) {
        return EventPayloads.mapper().readValue(event.getData().toBytes(), Map.class);
    }
}
