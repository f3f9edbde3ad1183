package dev.relay.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.config.RelayFunctionAutoConfiguration;
import dev.relay.shared.config.RelayProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.cloud.function.context.config.ContextFunctionCatalogAutoConfiguration;

/** The source/build part of relay.yaml: defaults, and start-up failures that name the field. */
class BuildConfigValidationTest {

    private static final String P = "relay.pipelines.web-app.";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
                    ContextFunctionCatalogAutoConfiguration.class, RelayFunctionAutoConfiguration.class))
            .withPropertyValues(
                    P + "image=registry.example.com/team/web-app",
                    P + "config-repo.url=https://git.example.com/config.git",
                    P + "environments[0].name=development",
                    P + "environments[0].path=apps/web-app/overlays/development/kustomization.yaml");

    @Test
    void shouldDefaultToKanikoMainAndVTagsWithoutAnySourceOrBuildConfig() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            RelayProperties.Pipeline pipeline = context.getBean(RelayProperties.class).pipeline("web-app").orElseThrow();
            assertThat(pipeline.source().repository()).isNull();
            assertThat(pipeline.source().branches()).containsExactly("main");
            assertThat(pipeline.source().tags()).containsExactly("v*");
            assertThat(pipeline.build().builder()).isEqualTo(RelayProperties.Builder.KANIKO);
            assertThat(pipeline.build().imageTagTemplate()).isEqualTo("{shortSha}");
            assertThat(pipeline.build().kaniko().image()).isEqualTo("gcr.io/kaniko-project/executor:v1.23.2");
            assertThat(pipeline.build().kaniko().dockerfile()).isEqualTo("Dockerfile");
            assertThat(pipeline.build().kaniko().backoffLimit()).isEqualTo(1);
            assertThat(pipeline.build().kaniko().ttlSecondsAfterFinished()).isEqualTo(3600);
            assertThat(pipeline.build().tekton().params().gitUrl()).isEqualTo("git-url");
            assertThat(pipeline.build().tekton().workspace().size()).isEqualTo("1Gi");
        });
    }

    @Test
    void shouldNameTheFieldOfEachMistake() {
        assertStartFails(P + "source.repository=/srv/git/web-app", "pipelines[web-app].source.repository",
                "must be an http(s), ssh or git URL");
        assertStartFails(P + "build.image-tag-template={commit}", "imageTagTemplateValid",
                "may use only {branch}, {sha} and {shortSha}");
        assertStartFails(P + "build.builder=tekton", "pipelines[web-app].build.tektonPipelineSet",
                "tekton.pipeline is required when builder is tekton");
        assertStartFails(P + "build.builder=local", "pipelines[web-app].build.localCommandSet",
                "local.command and local.output-dir are required");
        assertStartFails(P + "build.kaniko.resources.limits.memory=lots",
                "pipelines[web-app].build.kaniko.resources.limits.memory", "must be a Kubernetes quantity");
        assertStartFails(P + "build.local.output-dir=../outside", "pipelines[web-app].build.local.outputDir",
                "must be a relative path inside the checkout");
        assertStartFails(P + "build.kaniko.registry-secret=Not_A_Name",
                "pipelines[web-app].build.kaniko.registrySecret", "must be a Secret name");
        assertStartFails(P + "build.builder=docker", P + "build.builder", "docker");
    }

    private void assertStartFails(String property, String field, String message) {
        runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasFailed();
            StringBuilder all = new StringBuilder();
            for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                all.append(t.getMessage()).append('\n');
            }
            assertThat(all.toString()).contains(field).contains(message);
        });
    }
}
