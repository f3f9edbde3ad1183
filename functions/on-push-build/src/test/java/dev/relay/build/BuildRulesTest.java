package dev.relay.build;

import static dev.relay.build.BuildFixtures.REPO;
import static dev.relay.build.BuildFixtures.SHA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.http.EventRejectedException;
import dev.relay.shared.yaml.InvalidImageValueException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Branch/tag rules, repository matching, tag templating and the choice of pipeline. */
class BuildRulesTest {

    @ParameterizedTest
    @CsvSource({
            "main, main, true", "main, main2, false", "release/*, release/1.0, true", "release/*, release/1/x, false",
            "release/**, release/1/x, true", "v*, v1.2.3, true", "v*, 1.2.3, false", "v?.*, v1.x, true",
            "feature-*, feature-a.b, true", "*, a/b, false", "**, a/b, true", "v1.0, v1x0, false"})
    void shouldMatchGlobs(String glob, String name, boolean matches) {
        assertThat(RefGlob.matches(glob, name)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({
            "https://git.example.com/team/web-app.git, https://Git.Example.COM/team/web-app, true",
            "https://git.example.com/team/web-app.git, http://git.example.com/team/web-app/, true",
            "https://git.example.com/team/web-app.git, https://bot:secret@git.example.com/team/web-app.git, true",
            "https://git.example.com/team/web-app.git, git@git.example.com:team/web-app.git, true",
            "https://git.example.com/team/web-app.git, ssh://git@git.example.com:22/team/web-app.git, true",
            "https://git.example.com/team/web-app.git, https://git.example.com/team/Web-App.git, false",
            "https://git.example.com/team/web-app.git, https://git.example.com:8443/team/web-app.git, false",
            "https://git.example.com/team/web-app.git, https://git.example.com/team/web-app-2.git, false"})
    void shouldMatchRepositoriesIgnoringDotGitUserinfoAndHostCase(String configured, String pushed, boolean same) {
        assertThat(RepositoryUrl.parse(configured).orElseThrow()
                .sameRepository(RepositoryUrl.parse(pushed).orElseThrow())).isEqualTo(same);
    }

    @Test
    void shouldRenderTagTemplates() {
        GitRef main = GitRef.parse("refs/heads/main").orElseThrow();
        GitRef feature = GitRef.parse("refs/heads/feature/login").orElseThrow();
        assertThat(ImageTags.tagFor(build("{shortSha}"), main, SHA)).isEqualTo("4c3f5e2");
        assertThat(ImageTags.tagFor(build("{sha}"), main, SHA)).isEqualTo(SHA);
        assertThat(ImageTags.tagFor(build("{branch}-{shortSha}"), feature, SHA)).isEqualTo("feature-login-4c3f5e2");
        assertThat(ImageTags.tagFor(build("{shortSha}"), GitRef.parse("refs/tags/v1.2.0").orElseThrow(), SHA))
                .isEqualTo("v1.2.0");
    }

    @Test
    void shouldRejectAGitTagThatIsNoImageTag() {
        assertThatThrownBy(() -> ImageTags.tagFor(build("{shortSha}"),
                GitRef.parse("refs/tags/release/1.0").orElseThrow(), SHA))
                .isInstanceOf(InvalidImageValueException.class);
    }

    @Test
    void shouldPlanTheMatchingPipelineWithImageTagAndName() {
        BuildPlanner planner = new BuildPlanner(BuildFixtures.bind(BuildFixtures.pipeline("web-app", REPO, "kaniko")));

        BuildPlan plan = planner.plan(push("https://git.example.com/team/web-app", "refs/heads/main"), "id-1", "t-1",
                null);

        assertThat(plan).isInstanceOf(BuildPlan.Build.class);
        BuildRequest request = ((BuildPlan.Build) plan).request();
        assertThat(request.app()).isEqualTo("web-app");
        assertThat(request.imageReference()).isEqualTo("registry.example.com/team/web-app:4c3f5e2");
        assertThat(request.name()).isEqualTo("build-web-app-4c3f5e2b9a8d");
        assertThat(request.build().builder()).isEqualTo(RelayProperties.Builder.KANIKO);
    }

    @Test
    void shouldSkipUnconfiguredBranchesTagsRepositoriesAndDeletions() {
        BuildPlanner planner = new BuildPlanner(BuildFixtures.bind(BuildFixtures.pipeline("web-app", REPO, "kaniko")));

        assertThat(planner.plan(push(REPO, "refs/heads/develop"), "id", "t", null))
                .isInstanceOfSatisfying(BuildPlan.Skip.class, skip -> {
                    assertThat(skip.app()).isEqualTo("web-app");
                    assertThat(skip.reason()).contains("branch 'develop'").contains("[main]");
                });
        assertThat(planner.plan(push(REPO, "refs/tags/release-1"), "id", "t", null))
                .isInstanceOf(BuildPlan.Skip.class);
        assertThat(planner.plan(push(REPO, "refs/tags/v1.0.0"), "id", "t", null))
                .isInstanceOf(BuildPlan.Build.class);
        assertThat(planner.plan(push("https://git.example.com/team/other.git", "refs/heads/main"), "id", "t", null))
                .isInstanceOfSatisfying(BuildPlan.Skip.class, skip -> assertThat(skip.app()).isNull());
        Push deletion = new Push(REPO, RepositoryUrl.parse(REPO).orElseThrow(),
                GitRef.parse("refs/heads/main").orElseThrow(), "0".repeat(40), SHA, "octocat", "github");
        assertThat(planner.plan(deletion, "id", "t", null))
                .isInstanceOfSatisfying(BuildPlan.Skip.class, skip -> assertThat(skip.reason()).contains("deleted"));
    }

    @Test
    void shouldRejectAmbiguityUnlessRelayappChooses() {
        Map<String, String> properties = new HashMap<>(BuildFixtures.pipeline("web-app", REPO, "kaniko"));
        properties.putAll(BuildFixtures.pipeline("web-docs", REPO, "kaniko"));
        BuildPlanner planner = new BuildPlanner(BuildFixtures.bind(properties));

        assertThatThrownBy(() -> planner.plan(push(REPO, "refs/heads/main"), "id", "t", null))
                .isInstanceOfSatisfying(EventRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.problemType()).isEqualTo("ambiguous-pipeline");
                    assertThat(e.detail()).contains("[web-app, web-docs]").contains("relayapp");
                });
        assertThat(planner.plan(push(REPO, "refs/heads/main"), "id", "t", "web-docs"))
                .isInstanceOfSatisfying(BuildPlan.Build.class,
                        build -> assertThat(build.request().app()).isEqualTo("web-docs"));
        assertThatThrownBy(() -> planner.plan(push(REPO, "refs/heads/main"), "id", "t", "nope"))
                .isInstanceOfSatisfying(EventRejectedException.class,
                        e -> assertThat(e.problemType()).isEqualTo("unknown-app"));
        assertThatThrownBy(() -> planner.plan(push("https://git.example.com/x/y", "refs/heads/main"), "id", "t",
                "web-app")).isInstanceOfSatisfying(EventRejectedException.class,
                        e -> assertThat(e.problemType()).isEqualTo("repository-not-owned"));
    }

    private static Push push(String repository, String ref) {
        return new Push(repository, RepositoryUrl.parse(repository).orElseThrow(), GitRef.parse(ref).orElseThrow(),
                SHA, BuildFixtures.OTHER_SHA, "octocat", "gitea");
    }

    private static RelayProperties.Build build(String template) {
        Map<String, String> properties = new HashMap<>(BuildFixtures.pipeline("web-app", REPO, "kaniko"));
        properties.put("relay.pipelines.web-app.build.image-tag-template", template);
        return BuildFixtures.bind(properties).pipeline("web-app").orElseThrow().build();
    }
}
