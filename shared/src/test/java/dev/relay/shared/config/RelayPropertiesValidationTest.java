package dev.relay.shared.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.cloud.function.context.config.ContextFunctionCatalogAutoConfiguration;

/** A wrong relay.yaml stops start-up with a message that names the field. */
class RelayPropertiesValidationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
                    ContextFunctionCatalogAutoConfiguration.class, RelayFunctionAutoConfiguration.class))
            .withPropertyValues(
                    "relay.pipelines.web-app.image=registry.example.com/team/web-app",
                    "relay.pipelines.web-app.config-repo.url=https://git.example.com/config.git",
                    "relay.pipelines.web-app.environments[0].name=development",
                    "relay.pipelines.web-app.environments[0].path=apps/web-app/overlays/development/kustomization.yaml");

    @Test
    void shouldStartWithAValidPipeline() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            RelayProperties properties = context.getBean(RelayProperties.class);
            assertThat(properties.pipeline("web-app").orElseThrow().firstEnvironment().strategy())
                    .isEqualTo(RelayProperties.Strategy.KUSTOMIZE);
            assertThat(properties.pipeline("web-app").orElseThrow().configRepo().branch()).isEqualTo("main");
            assertThat(properties.git().depth()).isEqualTo(50);
        });
    }

    @Test
    void shouldNameAPathThatLeavesTheRepository() {
        assertStartFails("relay.pipelines.web-app.environments[0].path=../../etc/passwd",
                "pipelines[web-app].environments[0].pathInsideRepository",
                "path must be relative and stay inside the config repository");
    }

    @Test
    void shouldNameAnImageWithATag() {
        assertStartFails("relay.pipelines.web-app.image=registry.example.com/team/web-app:latest",
                "pipelines[web-app].image", "must be an image repository without tag or digest");
    }

    @Test
    void shouldNameAnUnknownStrategy() {
        assertStartFails("relay.pipelines.web-app.environments[0].strategy=jsonnet",
                "relay.pipelines.web-app.environments[0].strategy", "jsonnet");
    }

    @Test
    void shouldNameAMissingConfigRepositoryAndABadAppName() {
        assertStartFails("relay.pipelines.Web_App.image=registry.example.com/x", "Web_App",
                "DNS-1123 label");
        assertStartFails("relay.pipelines.web-app.config-repo.url=", "pipelines[web-app].configRepo.url",
                "must not be blank");
    }

    @Test
    void shouldNameDuplicateEnvironmentsAndABadBranch() {
        assertStartFails("relay.pipelines.web-app.environments[1].name=development",
                "pipelines[web-app].environmentNamesUnique", "environment names must be unique",
                "relay.pipelines.web-app.environments[1].path=apps/x.yaml");
        assertStartFails("relay.pipelines.web-app.config-repo.branch=main..evil",
                "pipelines[web-app].configRepo.branchWellFormed", "valid Git branch name");
    }

    @Test
    void shouldBindATagPolicy() {
        runner.withPropertyValues("relay.pipelines.web-app.tags.pattern=^v(?<version>.*)$",
                "relay.pipelines.web-app.tags.extract=$version", "relay.pipelines.web-app.tags.order=semver",
                "relay.pipelines.web-app.tags.range=>=1.0.0 <2.0.0").run(context -> {
                    assertThat(context).hasNotFailed();
                    RelayProperties.Tags tags = context.getBean(RelayProperties.class).pipeline("web-app")
                            .orElseThrow().tags();
                    assertThat(tags.order()).isEqualTo(RelayProperties.Order.SEMVER);
                    assertThat(tags.range()).isEqualTo(">=1.0.0 <2.0.0");
                });
        runner.withPropertyValues("relay.pipelines.web-app.tags.order=source-commit-time").run(context ->
                assertThat(context.getBean(RelayProperties.class).pipeline("web-app").orElseThrow().tags().order())
                        .isEqualTo(RelayProperties.Order.SOURCE_COMMIT_TIME));
    }

    @Test
    void shouldNameABadTagPolicy() {
        assertStartFails("relay.pipelines.web-app.tags.pattern=^v(", "pipelines[web-app].tags.patternValid",
                "pattern must be a valid Java regular expression");
        assertStartFails("relay.pipelines.web-app.tags.extract=$version", "pipelines[web-app].tags.extractValid",
                "extract needs a pattern", "relay.pipelines.web-app.tags.pattern=^v(?<v>.*)$");
        assertStartFails("relay.pipelines.web-app.tags.range=>=1.0.0", "pipelines[web-app].tags.rangeValid",
                "range needs order: semver");
        assertStartFails("relay.pipelines.web-app.tags.range=whatever", "pipelines[web-app].tags.rangeValid",
                "range needs order: semver", "relay.pipelines.web-app.tags.order=semver");
        assertStartFails("relay.pipelines.web-app.tags.order=newest", "relay.pipelines.web-app.tags.order",
                "newest");
    }

    private void assertStartFails(String property, String field, String message, String... more) {
        runner.withPropertyValues(property).withPropertyValues(more).run(context -> {
            assertThat(context).hasFailed();
            String failure = messages(context.getStartupFailure());
            assertThat(failure).contains(field).contains(message);
        });
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
