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
            @Valid @DefaultValue Build build,
            @Valid @DefaultValue Scan scan,
            @Valid @DefaultValue Rollback rollback) {

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
            @DefaultValue("automatic") Approval approval,
            @Valid @DefaultValue Verify verify) {

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
     * How {@code on-sync-verify} proves a rollout of this environment healthy after a sync.
     *
     * @param kubernetes   run the Kubernetes checks ({@code deployment-rollout}, {@code pods-image}); {@code false}
     *                     is the explicit choice of an environment without a cluster API (e.g. relay-local), and then
     *                     Argo CD or at least one smoke check must be configured
     * @param namespace    namespace of the Deployment and its pods
     * @param deployment   the Deployment's name; unset: the application name
     * @param container    the container that runs the pipeline's image; unset: the container whose image repository
     *                     is the expected one
     * @param deadline     how long one event waits for a rollout still in progress before answering 503 (the broker
     *                     redelivers later); keep it below the Knative Service's timeoutSeconds
     * @param pollInterval pause between two looks at a rollout in progress
     * @param argocd       the optional Argo CD Application check
     * @param smoke        HTTP smoke checks, run once the rollout is complete
     */
    public record Verify(
            @DefaultValue("true") boolean kubernetes,
            @DefaultValue("default") @NotBlank @Pattern(regexp = NAME, message = "must be a DNS-1123 label (lowercase letters, digits, '-')") String namespace,
            @Pattern(regexp = SUBDOMAIN, message = "must be a Deployment name (DNS-1123 subdomain)") String deployment,
            @Pattern(regexp = NAME, message = "must be a container name (DNS-1123 label)") String container,
            @DefaultValue("50s") @NotNull Duration deadline,
            @DefaultValue("2s") @NotNull Duration pollInterval,
            @Valid @DefaultValue ArgoCd argocd,
            @jakarta.validation.constraints.Size(max = 20, message = "at most 20 smoke checks") List<@Valid @NotNull Smoke> smoke) {

        public Verify {
            smoke = smoke == null ? List.of() : List.copyOf(smoke);
        }

        public String deploymentOr(String app) {
            return deployment == null || deployment.isBlank() ? app : deployment;
        }

        @AssertTrue(message = "deadline must be between 0s and 10m, poll-interval between 10ms and 1m")
        public boolean isTimingValid() {
            return deadline == null || pollInterval == null
                    || (!deadline.isNegative() && deadline.compareTo(Duration.ofMinutes(10)) <= 0
                            && pollInterval.compareTo(Duration.ofMillis(10)) >= 0
                            && pollInterval.compareTo(Duration.ofMinutes(1)) <= 0);
        }

        @AssertTrue(message = "with kubernetes: false, enable argocd or configure at least one smoke check (a verification must check something)")
        public boolean isSomethingChecked() {
            return kubernetes || (argocd != null && argocd.enabled()) || (smoke != null && !smoke.isEmpty());
        }
    }

    /**
     * The Argo CD {@code Application} (argoproj.io/v1alpha1) that deploys this environment: it must be Healthy and
     * Synced at the event's revision.
     *
     * @param application its name; unset: {@code <app>-<environment>}
     * @param namespace   its namespace (where Argo CD keeps Applications)
     */
    public record ArgoCd(
            @DefaultValue("false") boolean enabled,
            @Pattern(regexp = SUBDOMAIN, message = "must be an Application name (DNS-1123 subdomain)") String application,
            @DefaultValue("argocd") @NotBlank @Pattern(regexp = NAME, message = "must be a DNS-1123 label (lowercase letters, digits, '-')") String namespace) {

        public String applicationOr(String app, String environment) {
            return application == null || application.isBlank() ? app + "-" + environment : application;
        }
    }

    /**
     * One HTTP smoke check.
     *
     * @param url            http(s) URL to call
     * @param method         HTTP method without a body (GET, HEAD, OPTIONS) or with an empty one
     * @param expectedStatus the status the answer must have
     * @param bodyContains   a substring the first 64 KiB of the body must contain; unset: any body
     * @param timeout        connect + answer time limit
     */
    public record Smoke(
            @NotBlank @Pattern(regexp = "(?i)https?://[^\\s]+", message = "must be an http:// or https:// URL") String url,
            @DefaultValue("GET") @NotBlank @Pattern(regexp = "GET|HEAD|OPTIONS|POST|PUT|DELETE|PATCH", message = "must be an HTTP method in capitals") String method,
            @DefaultValue("200") @Min(100) @Max(599) int expectedStatus,
            String bodyContains,
            @DefaultValue("5s") @NotNull Duration timeout) {

        @AssertTrue(message = "timeout must be between 1ms and 60s")
        public boolean isTimeoutValid() {
            return timeout == null || (!timeout.isNegative() && !timeout.isZero()
                    && timeout.compareTo(Duration.ofSeconds(60)) <= 0);
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

    public enum ScanBackend { TRIVY_JOB, TRIVY_CLI, HARBOR }

    /** The lowest severity that blocks a release by itself; {@code none}: only {@code max-counts} can block. */
    public enum FailOn { CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN, NONE }

    /**
     * How {@code on-image-scan} scans {@code <pipeline.image>@<digest>} and judges the report.
     *
     * @param backend  {@code trivy-job} (a Kubernetes Job running Trivy), {@code trivy-cli} (the local {@code trivy}
     *                 binary, for relay-local) or {@code harbor} (the report Harbor's scanner produced)
     * @param policy   what blocks a release
     * @param trivyJob settings of the {@code trivy-job} backend
     * @param trivyCli settings of the {@code trivy-cli} backend
     * @param harbor   settings of the {@code harbor} backend
     */
    public record Scan(
            @DefaultValue("trivy-job") ScanBackend backend,
            @Valid @DefaultValue ScanPolicy policy,
            @Valid @DefaultValue TrivyJob trivyJob,
            @Valid @DefaultValue TrivyCli trivyCli,
            @Valid @DefaultValue Harbor harbor) {

        @AssertTrue(message = "harbor.url is required when backend is harbor")
        public boolean isHarborUrlSet() {
            return backend != ScanBackend.HARBOR || (harbor != null && harbor.url() != null && !harbor.url().isBlank());
        }
    }

    /**
     * The scan policy: a finding blocks when its severity is at or above {@code failOn}, unless it is ignored; a
     * severity whose count (findings, i.e. vulnerability and package pairs, after ignores) exceeds its
     * {@code maxCounts} entry blocks too.
     *
     * @param name          short name put into the answer's {@code policy} field
     * @param failOn        the blocking threshold (default {@code high}: CRITICAL and HIGH block)
     * @param ignoreUnfixed findings without a fixed version neither block nor count
     * @param ignore        vulnerability ids that neither block nor count, each with a reason and an optional expiry
     * @param maxCounts     most findings allowed per severity; unset: no limit
     */
    public record ScanPolicy(
            @DefaultValue("default") @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,63}", message = "must be a short name ([A-Za-z0-9._-], at most 63)") String name,
            @DefaultValue("high") FailOn failOn,
            @DefaultValue("false") boolean ignoreUnfixed,
            List<@Valid @NotNull IgnoredVulnerability> ignore,
            @Valid @DefaultValue MaxCounts maxCounts) {

        public ScanPolicy {
            ignore = ignore == null ? List.of() : List.copyOf(ignore);
        }
    }

    /**
     * One entry of the ignore list.
     *
     * @param id      vulnerability id as the scanner reports it, e.g. {@code CVE-2019-14697} or {@code GHSA-...}
     * @param reason  why it is acceptable (required: an ignore list without reasons cannot be reviewed)
     * @param expires last day (ISO date, UTC) on which the entry ignores; unset: never expires
     */
    public record IgnoredVulnerability(
            @NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,128}", message = "must be a vulnerability id such as CVE-2024-1234") String id,
            @NotBlank String reason,
            @org.springframework.format.annotation.DateTimeFormat(iso = org.springframework.format.annotation.DateTimeFormat.ISO.DATE)
            java.time.LocalDate expires) {
    }

    /** Most findings allowed per severity (after ignores); unset: no limit. */
    public record MaxCounts(@Min(0) Integer critical, @Min(0) Integer high, @Min(0) Integer medium,
            @Min(0) Integer low, @Min(0) Integer unknown) {
    }

    /**
     * The {@code trivy-job} backend: a batch/v1 Job running Trivy against {@code <image>@<digest>}, named from the
     * digest. Nothing waits for it: the request answers {@code dev.relay.scan.started}, the Job's completion event
     * (ApiServerSource) the verdict.
     *
     * @param image                   the Trivy image
     * @param server                  URL of a Trivy server ({@code --server}); unset: each Job downloads the DB
     * @param registrySecret          a {@code kubernetes.io/dockerconfigjson} Secret to pull the scanned image with
     * @param serviceAccount          ServiceAccount of the scan pods (they get no API token); unset: the namespace's
     *                                default
     * @param namespace               namespace of the Jobs; unset: on-image-scan's own
     * @param ttlSecondsAfterFinished how long a finished Job (and its report, in its pod's log) is kept
     * @param activeDeadlineSeconds   hard limit of one scan
     */
    public record TrivyJob(
            @DefaultValue("aquasec/trivy:0.58.1") @NotBlank String image,
            @Pattern(regexp = "https?://[^\\s]+", message = "must be an http(s) URL") String server,
            @Pattern(regexp = SUBDOMAIN, message = "must be a Secret name (DNS-1123 subdomain)") String registrySecret,
            @Pattern(regexp = SUBDOMAIN, message = "must be a ServiceAccount name (DNS-1123 subdomain)") String serviceAccount,
            @Pattern(regexp = NAME, message = "must be a DNS-1123 label (lowercase letters, digits, '-')") String namespace,
            @Valid @DefaultValue Resources resources,
            @DefaultValue("3600") @Min(60) int ttlSecondsAfterFinished,
            @DefaultValue("600") @Min(1) long activeDeadlineSeconds) {
    }

    /**
     * The {@code trivy-cli} backend: the {@code trivy} binary on this machine.
     *
     * @param path         the binary: a file path, or a name looked up on {@code PATH}
     * @param server       URL of a Trivy server ({@code --server}); unset: the local DB
     * @param dockerConfig directory with a {@code config.json} for the registry ({@code DOCKER_CONFIG})
     * @param cacheDir     Trivy's cache ({@code --cache-dir}); unset: Trivy's default
     * @param timeout      time limit of one scan
     */
    public record TrivyCli(
            @DefaultValue("trivy") @NotBlank String path,
            @Pattern(regexp = "https?://[^\\s]+", message = "must be an http(s) URL") String server,
            Path dockerConfig,
            Path cacheDir,
            @DefaultValue("5m") Duration timeout) {
    }

    /**
     * The {@code harbor} backend: the vulnerability report Harbor's scanner already produced for the artifact.
     *
     * @param url          Harbor's base URL, e.g. {@code https://harbor.example.com}
     * @param project      Harbor project; unset: the first path segment of the image repository
     * @param usernameFile file holding the robot account's name
     * @param passwordFile file holding its secret
     * @param timeout      time limit of one API request
     */
    public record Harbor(
            @Pattern(regexp = "https?://[^\\s]+", message = "must be an http(s) URL") String url,
            @Pattern(regexp = "[a-z0-9]+(?:[._-][a-z0-9]+)*", message = "must be a Harbor project name") String project,
            Path usernameFile,
            Path passwordFile,
            @DefaultValue("10s") Duration timeout) {
    }

    /** What on-metric-rollback does when the SLO query returns no data. */
    public enum OnMissingData { SKIP, ROLLBACK }

    /**
     * How {@code on-metric-rollback} confirms a {@code dev.relay.metric.breached} before it reverts an environment to
     * its last verified image ({@code dev.relay.verify.failed} always rolls back).
     *
     * @param prometheus    where the SLO is measured; unset url: the breach event is trusted as it is
     * @param slo           the SLO query and the condition under which the SLO holds
     * @param onMissingData {@code skip} (default: never roll back on missing data) or {@code rollback}
     * @param queryTimeout  time limit of one query
     */
    public record Rollback(
            @Valid @DefaultValue Prometheus prometheus,
            @Valid @DefaultValue Slo slo,
            @DefaultValue("skip") OnMissingData onMissingData,
            @DefaultValue("5s") @NotNull Duration queryTimeout) {
    }

    /**
     * @param url             Prometheus base URL, e.g. {@code http://prometheus.monitoring:9090}; unset: no confirmation
     * @param bearerTokenFile file holding a bearer token for the Prometheus API (read at use)
     */
    public record Prometheus(
            @Pattern(regexp = "https?://[^\\s?#]+", message = "must be an http(s) URL without query or fragment") String url,
            Path bearerTokenFile) {
    }

    /**
     * @param query     PromQL whose value is the SLI; {@code <app>} and {@code <environment>} are replaced; unset: the
     *                  success rate of {@code http_requests_total{service="<app>"}} over 5m
     * @param condition when the SLO holds, an operator and a number, e.g. {@code >= 0.99}
     */
    public record Slo(
            String query,
            @DefaultValue(">= 0.99") @NotBlank @Pattern(regexp = SLO_CONDITION, message = "must be an operator (>=, >, <=, <, ==, !=) and a number, e.g. '>= 0.99'") String condition) {

        public static final String SLO_CONDITION =
                "\\s*(>=|<=|==|!=|>|<)\\s*[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*";
    }

    public static final String SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    public static final String QUANTITY = "([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?";
    /** Relative, no '..' segment, no backslash, not starting with '/'. */
    public static final String RELATIVE_PATH = "(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\\\x00-\\x1f]{1,255}";
}
