package dev.relay.shared.config;

import dev.relay.shared.gitops.ConfigRepository;
import dev.relay.shared.gitops.GitCredentials;
import dev.relay.shared.gitops.GitWriterSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The pipeline configuration ({@code relay.yaml}): one entry per application under {@code relay.pipelines}.
 * Bound once and validated at start; a mistake fails start-up with a message naming the field.
 */
@Validated
@ConfigurationProperties("relay")
public record RelayProperties(
        @Valid @DefaultValue Git git,
        Map<@Pattern(regexp = NAME, message = "must be a DNS-1123 label (lowercase letters, digits, '-')") String,
                @Valid @NotNull Pipeline> pipelines) {

    public static final String NAME = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    public RelayProperties {
        pipelines = pipelines == null ? Map.of() : Map.copyOf(pipelines);
    }

    public Optional<Pipeline> pipeline(String app) {
        return Optional.ofNullable(pipelines.get(app));
    }

    /** How the GitOps writer reaches and writes config repositories. */
    public record Git(
            @DefaultValue("${java.io.tmpdir}/relay-git") Path cacheDir,
            @DefaultValue("50") @Min(1) int depth,
            @DefaultValue("6") @Min(1) @Max(50) int maxAttempts,
            @DefaultValue("100ms") Duration initialBackoff,
            @DefaultValue("3s") Duration maxBackoff,
            @DefaultValue("Relay") @NotBlank String authorName,
            @DefaultValue("relay@relay.dev") @NotBlank String authorEmail,
            @DefaultValue("60s") Duration timeout) {

        public GitWriterSettings toWriterSettings() {
            return new GitWriterSettings(cacheDir, depth, maxAttempts, initialBackoff, maxBackoff, authorName,
                    authorEmail, timeout);
        }
    }

    /** One application: its image repository, its config repository and its environments in promotion order. */
    public record Pipeline(
            @NotBlank @Pattern(regexp = IMAGE_REPOSITORY, message = "must be an image repository without tag or digest, e.g. registry.example.com/team/app")
            String image,
            @Valid @NotNull ConfigRepo configRepo,
            @NotEmpty List<@Valid @NotNull Environment> environments,
            @Valid @DefaultValue Source source,
            @Valid @DefaultValue Build build) {

        public static final String IMAGE_REPOSITORY =
                "([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*";

        public Environment firstEnvironment() {
            return environments.get(0);
        }

        public Optional<Environment> environment(String name) {
            return environments.stream().filter(e -> e.name().equals(name)).findFirst();
        }

        /** The environment after {@code name} in promotion order, if any. */
        public Optional<Environment> after(String name) {
            for (int i = 0; i < environments.size() - 1; i++) {
                if (environments.get(i).name().equals(name)) {
                    return Optional.of(environments.get(i + 1));
                }
            }
            return Optional.empty();
        }

        @AssertTrue(message = "environment names must be unique")
        public boolean isEnvironmentNamesUnique() {
            return environments == null
                    || environments.stream().map(Environment::name).distinct().count() == environments.size();
        }
    }

    public record ConfigRepo(
            @NotBlank String url,
            @DefaultValue("main") @NotBlank @Pattern(regexp = BRANCH, message = "must be a plain branch name") String branch,
            @Valid @DefaultValue Credentials credentials) {

        public ConfigRepository toConfigRepository() {
            GitCredentials gitCredentials = credentials == null ? GitCredentials.none()
                    : new GitCredentials(credentials.username(), credentials.usernameFile(),
                            credentials.passwordFile(), credentials.tokenFile(), credentials.sshKeyFile(),
                            credentials.knownHostsFile());
            return new ConfigRepository(url, branch, gitCredentials);
        }

        public static final String BRANCH = "[A-Za-z0-9._][A-Za-z0-9._/-]{0,199}";

        @AssertTrue(message = "branch must be a valid Git branch name ('..', '//', trailing '/', '.lock' are not)")
        public boolean isBranchWellFormed() {
            return branch == null || !(branch.contains("..") || branch.contains("//") || branch.endsWith("/")
                    || branch.endsWith(".lock") || branch.endsWith("."));
        }
    }

    /** Mounted secret files (read at use, so rotation needs no restart); never the secrets themselves. */
    public record Credentials(String username, Path usernameFile, Path passwordFile, Path tokenFile,
            Path sshKeyFile, Path knownHostsFile) {
    }

    public enum Strategy { KUSTOMIZE, HELM }

    public enum Approval { AUTOMATIC, MANUAL }

    /**
     * One environment's manifest.
     *
     * @param path       file to edit, relative to the config repository root
     * @param imageName  kustomize {@code images[].name} to set; defaults to the pipeline's image
     * @param pinDigest  also write the digest (kustomize {@code digest}, helm {@code digestPath})
     * @param tagPath    helm values path of the tag
     * @param digestPath helm values path of the digest
     */
    public record Environment(
            @NotBlank @Pattern(regexp = NAME, message = "must be a DNS-1123 label (lowercase letters, digits, '-')") String name,
            @NotBlank String path,
            @DefaultValue("kustomize") Strategy strategy,
            String imageName,
            @DefaultValue("false") boolean pinDigest,
            @DefaultValue("image.tag") @Pattern(regexp = VALUES_PATH, message = "must be a dotted YAML path such as image.tag") String tagPath,
            @DefaultValue("image.digest") @Pattern(regexp = VALUES_PATH, message = "must be a dotted YAML path such as image.digest") String digestPath,
            @DefaultValue("automatic") Approval approval) {

        public static final String VALUES_PATH = "[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*";

        @AssertTrue(message = "path must be relative and stay inside the config repository")
        public boolean isPathInsideRepository() {
            if (path == null || path.isBlank()) {
                return true;
            }
            if (path.startsWith("/") || path.startsWith("\\") || path.contains("\\") || path.contains("\0")) {
                return false;
            }
            Path normalized = Path.of(path).normalize();
            return !normalized.isAbsolute() && !normalized.startsWith("..") && !normalized.toString().isEmpty()
                    && !normalized.startsWith(".git");
        }

        public String kustomizeImageName(Pipeline pipeline) {
            return imageName == null || imageName.isBlank() ? pipeline.image() : imageName;
        }
    }

    /**
     * Where an application's source lives and which pushes build it ({@code on-push-build}).
     *
     * @param repository clone URL: {@code http(s)://}, {@code ssh://}, {@code git://}, scp-like {@code user@host:path},
     *                   or {@code file:///path} (a repository on this machine, built only by the local builder);
     *                   a push matches it ignoring userinfo, a trailing {@code .git} or {@code /} and the case of the
     *                   scheme and host. Unset: no push builds this application.
     * @param branches   globs of branch names that build ({@code *} and {@code ?} stop at '/', {@code **} does not)
     * @param tags       globs of tag names that build; a tag build's image tag is the Git tag itself
     */
    public record Source(
            @Pattern(regexp = REPOSITORY_URL, message = "must be an http(s), ssh or git URL, user@host:path, or file:///path (local builder only)")
            String repository,
            @DefaultValue("main") List<@NotBlank @Pattern(regexp = GLOB, message = "must be a branch glob such as main or release/*") String> branches,
            @DefaultValue("v*") List<@NotBlank @Pattern(regexp = GLOB, message = "must be a tag glob such as v*") String> tags) {

        public static final String REPOSITORY_URL =
                "(?i:https?|ssh|git)://[^\\s/?#@]+(@[^\\s/?#]+)?(/[^\\s?#]*)?|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s?#]+"
                        + "|file:///[^\\s?#]*";
        public static final String GLOB = "[A-Za-z0-9._/*?+@-]{1,200}";

        public Source {
            branches = branches == null ? List.of() : List.copyOf(branches);
            tags = tags == null ? List.of() : List.copyOf(tags);
        }
    }

    public enum Builder { KANIKO, TEKTON, LOCAL }

    /**
     * How {@code on-push-build} builds the image {@code <pipeline.image>:<tag>} for a matching push.
     *
     * @param builder          {@code kaniko} (a Kubernetes Job), {@code tekton} (a PipelineRun) or {@code local}
     *                         (in-process: JGit checkout, a command, Jib; for relay-local)
     * @param imageTagTemplate image tag of branch builds: {@code {shortSha}} (first 7 hex of the commit),
     *                         {@code {sha}}, {@code {branch}} (with every character not allowed in a tag as '-')
     * @param namespace        namespace of Jobs and PipelineRuns; unset: the pod's own namespace, else "default"
     */
    public record Build(
            @DefaultValue("kaniko") Builder builder,
            @DefaultValue("{shortSha}") @NotBlank String imageTagTemplate,
            @Pattern(regexp = NAME, message = "must be a DNS-1123 label (lowercase letters, digits, '-')") String namespace,
            @Valid @DefaultValue Kaniko kaniko,
            @Valid @DefaultValue Tekton tekton,
            @Valid @DefaultValue Local local) {

        public static final java.util.regex.Pattern TEMPLATE_PLACEHOLDER = java.util.regex.Pattern.compile("\\{([^}]*)}");
        public static final List<String> TEMPLATE_NAMES = List.of("branch", "sha", "shortSha");

        @AssertTrue(message = "image-tag-template may use only {branch}, {sha} and {shortSha} and must render a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})")
        public boolean isImageTagTemplateValid() {
            if (imageTagTemplate == null || imageTagTemplate.isBlank()) {
                return true;
            }
            java.util.regex.Matcher placeholders = TEMPLATE_PLACEHOLDER.matcher(imageTagTemplate);
            while (placeholders.find()) {
                if (!TEMPLATE_NAMES.contains(placeholders.group(1))) {
                    return false;
                }
            }
            String sample = imageTagTemplate.replace("{branch}", "main").replace("{shortSha}", "0123abc")
                    .replace("{sha}", "0123abc0123abc0123abc0123abc0123abc01234");
            return sample.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
        }

        @AssertTrue(message = "tekton.pipeline is required when builder is tekton")
        public boolean isTektonPipelineSet() {
            return builder != Builder.TEKTON || (tekton != null && tekton.pipeline() != null && !tekton.pipeline().isBlank());
        }

        @AssertTrue(message = "local.command and local.output-dir are required when builder is local")
        public boolean isLocalCommandSet() {
            return builder != Builder.LOCAL || (local != null && local.command() != null && !local.command().isEmpty()
                    && local.outputDir() != null && !local.outputDir().isBlank());
        }
    }

    /**
     * The Kaniko Job: git context at the exact commit, push to the pipeline's image, layer cache in a registry.
     *
     * @param image                   the executor image
     * @param contextSubPath          directory of the build context inside the repository
     * @param dockerfile              Dockerfile path, relative to the context
     * @param cacheRepo               registry repository of cached layers; unset: {@code <pipeline.image>/cache}
     * @param registrySecret          a {@code kubernetes.io/dockerconfigjson} Secret, mounted at /kaniko/.docker
     * @param gitTokenSecret          a Secret whose key {@code token} is the clone token (Kaniko's GIT_TOKEN)
     * @param serviceAccount          service account of the build pod; its API token is never mounted
     * @param activeDeadlineSeconds   upper bound of the whole Job; unset: none
     */
    public record Kaniko(
            @DefaultValue("gcr.io/kaniko-project/executor:v1.23.2") @NotBlank String image,
            @Pattern(regexp = RELATIVE_PATH, message = "must be a relative path inside the repository") String contextSubPath,
            @DefaultValue("Dockerfile") @NotBlank @Pattern(regexp = RELATIVE_PATH, message = "must be a relative path") String dockerfile,
            @Pattern(regexp = Pipeline.IMAGE_REPOSITORY, message = "must be an image repository without tag or digest") String cacheRepo,
            @Pattern(regexp = SUBDOMAIN, message = "must be a Secret name (DNS-1123 subdomain)") String registrySecret,
            @Pattern(regexp = SUBDOMAIN, message = "must be a Secret name (DNS-1123 subdomain)") String gitTokenSecret,
            @Pattern(regexp = SUBDOMAIN, message = "must be a ServiceAccount name (DNS-1123 subdomain)") String serviceAccount,
            @Valid @DefaultValue Resources resources,
            @DefaultValue("1") @Min(0) @Max(10) int backoffLimit,
            @DefaultValue("3600") @Min(0) int ttlSecondsAfterFinished,
            @Min(1) Long activeDeadlineSeconds) {
    }

    /** Container resources; an unset value is left to the namespace's defaults. */
    public record Resources(@Valid @DefaultValue Quantities requests, @Valid @DefaultValue Quantities limits) {
    }

    public record Quantities(
            @Pattern(regexp = QUANTITY, message = "must be a Kubernetes quantity such as 500m or 2") String cpu,
            @Pattern(regexp = QUANTITY, message = "must be a Kubernetes quantity such as 512Mi or 2Gi") String memory) {
    }

    /**
     * The Tekton PipelineRun (tekton.dev/v1) that runs an existing Pipeline with the source and target image.
     *
     * @param pipeline       name of the Pipeline to run (in the build namespace)
     * @param serviceAccount {@code taskRunTemplate.serviceAccountName}
     * @param timeout        {@code timeouts.pipeline}; unset: Tekton's default
     */
    public record Tekton(
            @Pattern(regexp = SUBDOMAIN, message = "must be a Pipeline name (DNS-1123 subdomain)") String pipeline,
            @Pattern(regexp = SUBDOMAIN, message = "must be a ServiceAccount name (DNS-1123 subdomain)") String serviceAccount,
            @Valid @DefaultValue Workspace workspace,
            @Valid @DefaultValue TektonParams params,
            Duration timeout) {
    }

    /**
     * The PipelineRun's workspace: an existing claim ({@code pvc}) or a fresh volumeClaimTemplate of {@code size}.
     */
    public record Workspace(
            @DefaultValue("source") @NotBlank @Pattern(regexp = NAME, message = "must be a DNS-1123 label") String name,
            @Pattern(regexp = SUBDOMAIN, message = "must be a PersistentVolumeClaim name (DNS-1123 subdomain)") String pvc,
            @DefaultValue("1Gi") @NotBlank @Pattern(regexp = QUANTITY, message = "must be a Kubernetes quantity such as 1Gi") String size,
            @Pattern(regexp = SUBDOMAIN, message = "must be a StorageClass name") String storageClass) {
    }

    /** Names of the Pipeline's params that receive the clone URL, the commit and the image reference. */
    public record TektonParams(
            @DefaultValue("git-url") @NotBlank String gitUrl,
            @DefaultValue("git-revision") @NotBlank String gitRevision,
            @DefaultValue("image") @NotBlank String image) {
    }

    /**
     * The local builder (relay-local, no cluster): check out the exact commit with JGit, run {@code command} in the
     * checkout, put {@code outputDir} at {@code /app} of an image FROM scratch with Jib, write it as an OCI tarball
     * ({@code <imageLayoutDir>/<app>-<tag>.tar}) or push it to {@code registry}.
     *
     * @param command               the build command, e.g. {@code ["sh", "-c", "npm ci && npm run build"]}
     * @param outputDir             what becomes {@code /app}, relative to the checkout
     * @param entrypoint            the image's entrypoint; unset: none
     * @param timeout               the build command's time limit
     * @param workDir               checkouts ({@code sources/<app>}) and layer caches; unset: {tmp}/relay-build
     * @param imageLayoutDir        where tarballs go; unset: {@code <workDir>/images}
     * @param registry              {@code host[:port]} to push to instead of writing a tarball
     * @param allowInsecureRegistry allow plain HTTP to {@code registry} (always allowed for loopback)
     */
    public record Local(
            List<@NotNull String> command,
            @Pattern(regexp = RELATIVE_PATH, message = "must be a relative path inside the checkout") String outputDir,
            List<@NotNull String> entrypoint,
            @DefaultValue("10m") Duration timeout,
            Path workDir,
            Path imageLayoutDir,
            @Pattern(regexp = "[A-Za-z0-9.-]+(:[0-9]{1,5})?", message = "must be a registry host[:port]") String registry,
            @DefaultValue("false") boolean allowInsecureRegistry) {

        public Local {
            command = command == null ? List.of() : List.copyOf(command);
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        }

        public Path workDirOrDefault() {
            return workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"), "relay-build");
        }

        public Path imageLayoutDirOrDefault() {
            return imageLayoutDir != null ? imageLayoutDir : workDirOrDefault().resolve("images");
        }
    }

    public static final String SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    public static final String QUANTITY = "([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?";
    /** Relative, no '..' segment, no backslash, not starting with '/'. */
    public static final String RELATIVE_PATH = "(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\\\x00-\\x1f]{1,255}";
}
