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
            @NotEmpty List<@Valid @NotNull Environment> environments) {

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
}
