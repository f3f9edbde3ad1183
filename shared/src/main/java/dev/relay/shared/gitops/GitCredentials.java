package dev.relay.shared.gitops;

import java.nio.file.Path;

/**
 * Where to read credentials from. Files are read at each use (mounted secrets rotate) and trailing line
 * breaks are trimmed. HTTPS: {@code tokenFile} (user {@code username} or {@code x-access-token}), or
 * {@code username} + {@code passwordFile}. SSH: {@code sshKeyFile}, with strict host checking against
 * {@code knownHostsFile} when given.
 */
public record GitCredentials(String username, Path usernameFile, Path passwordFile, Path tokenFile,
        Path sshKeyFile, Path knownHostsFile) {

    public static GitCredentials none() {
        return new GitCredentials(null, null, null, null, null, null);
    }

    public static GitCredentials token(Path tokenFile) {
        return new GitCredentials(null, null, null, tokenFile, null, null);
    }

    public static GitCredentials basic(String username, Path passwordFile) {
        return new GitCredentials(username, null, passwordFile, null, null, null);
    }

    public static GitCredentials ssh(Path sshKeyFile, Path knownHostsFile) {
        return new GitCredentials(null, null, null, null, sshKeyFile, knownHostsFile);
    }

    @Override
    public String toString() {
        return "GitCredentials[username=" + username + ", usernameFile=" + usernameFile + ", passwordFile="
                + passwordFile + ", tokenFile=" + tokenFile + ", sshKeyFile=" + sshKeyFile + ", knownHostsFile="
                + knownHostsFile + "]";
    }
}
