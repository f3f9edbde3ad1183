package dev.relay.local.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * With no pipeline configured, relay-local runs on its embedded defaults: it creates (or reuses) the sandbox under
 * {@code relay.local.work-dir} (default {@code ./.relay}) and loads the sandbox's {@code relay.yaml}.
 */
public class SandboxEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    public static final String ACTIVE = "relay.local.sandbox.active";

    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 10;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty("relay.local.sandbox.enabled", Boolean.class, true) || hasPipelines(environment)) {
            return;
        }
        LocalSandbox sandbox = new LocalSandbox(Path.of(environment.getProperty("relay.local.work-dir", ".relay")));
        sandbox.ensureCreated();
        try {
            for (PropertySource<?> source : new YamlPropertySourceLoader()
                    .load("relay-sandbox", new FileSystemResource(sandbox.relayYaml()))) {
                environment.getPropertySources().addLast(source);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sandbox.relayYaml(), e);
        }
        environment.getPropertySources().addFirst(
                new MapPropertySource("relay-sandbox-marker", Map.of(ACTIVE, sandbox.workDir().toString())));
    }

    private static boolean hasPipelines(ConfigurableEnvironment environment) {
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (name.startsWith("relay.pipelines.") || name.startsWith("RELAY_PIPELINES_")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
