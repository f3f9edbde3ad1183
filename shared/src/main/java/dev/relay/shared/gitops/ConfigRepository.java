package dev.relay.shared.gitops;

import java.util.Objects;

/** A GitOps configuration repository and the branch Relay writes to. */
public record ConfigRepository(String url, String branch, GitCredentials credentials) {

    public ConfigRepository {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(branch, "branch");
        if (credentials == null) {
            credentials = GitCredentials.none();
        }
    }

    /** The URL with any userinfo removed, for messages and logs. */
    public String redactedUrl() {
        return RemoteUrls.redact(url);
    }

    @Override
    public String toString() {
        return "ConfigRepository[url=" + redactedUrl() + ", branch=" + branch + "]";
    }
}
