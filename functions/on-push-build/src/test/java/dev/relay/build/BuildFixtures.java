package dev.relay.build;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.events.Payloads;
import dev.relay.shared.events.RelayEventTypes;
import dev.relay.shared.events.RelayExtensions;
import dev.relay.shared.testing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Pipelines bound the way Spring binds relay.yaml (defaults applied), and the push events that build them. */
final class BuildFixtures {

    static final String REPO = "https://git.example.com/team/web-app.git";
    static final String IMAGE = "registry.example.com/team/web-app";
    static final String SHA = "4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    static final String OTHER_SHA = "0123456789abcdef0123456789abcdef01234567";

    private BuildFixtures() {
    }

    /** Properties of one pipeline {@code app} building {@code repo} with {@code builder}. */
    static Map<String, String> pipeline(String app, String repo, String builder) {
        Map<String, String> p = new LinkedHashMap<>();
        String prefix = "relay.pipelines." + app + ".";
        p.put(prefix + "image", IMAGE.replace("web-app", app));
        p.put(prefix + "config-repo.url", "https://git.example.com/team/config.git");
        p.put(prefix + "environments[0].name", "development");
        p.put(prefix + "environments[0].path", "apps/" + app + "/overlays/development/kustomization.yaml");
        p.put(prefix + "source.repository", repo);
        p.put(prefix + "build.builder", builder);
        return p;
    }

    static RelayProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bind("relay", RelayProperties.class)
                .orElseThrow(() -> new IllegalStateException("nothing bound"));
    }

    static CloudEvent pushed(String repository, String ref, String commit) {
        return pushedEvent(repository, ref, commit).build();
    }

    static io.cloudevents.core.builder.CloudEventBuilder pushedEvent(String repository, String ref, String commit) {
        return CloudEventHttp.event(RelayEventTypes.GIT_PUSHED,
                        new Payloads.GitPushed(repository, ref, commit, OTHER_SHA, "octocat", "gitea"))
                .withExtension(RelayExtensions.TRACE, "trace-" + commit.substring(0, Math.min(8, commit.length())));
    }
}
