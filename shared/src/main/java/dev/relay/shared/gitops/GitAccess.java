package dev.relay.shared.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Credentials and transport set-up for one batch of operations on one repository. Secret files are read when
 * this is opened, so rotated secrets are picked up; secrets are kept only to scrub them from messages.
 */
final class GitAccess implements AutoCloseable {

    static final String TOKEN_USER = "x-access-token";

    private final ConfigRepository repo;
    private final CredentialsProvider credentials;
    private final SshdSessionFactory ssh;
    private final List<String> secrets = new ArrayList<>();
    private final int timeoutSeconds;

    private GitAccess(ConfigRepository repo, Path sshHome, int timeoutSeconds) {
        this.repo = repo;
        this.timeoutSeconds = timeoutSeconds;
        GitCredentials c = repo.credentials();
        String username = c.username();
        if (username == null && c.usernameFile() != null) {
            username = read("username-file", c.usernameFile());
        }
        if (c.tokenFile() != null) {
            String token = read("token-file", c.tokenFile());
            secrets.add(token);
            credentials = new UsernamePasswordCredentialsProvider(username != null ? username : TOKEN_USER, token);
        } else if (c.passwordFile() != null) {
            String password = read("password-file", c.passwordFile());
            secrets.add(password);
            credentials = new UsernamePasswordCredentialsProvider(username != null ? username : "", password);
        } else {
            credentials = null;
        }
        if (c.sshKeyFile() != null) {
            requireReadable("ssh-key-file", c.sshKeyFile());
            if (c.knownHostsFile() != null) {
                requireReadable("known-hosts-file", c.knownHostsFile());
            }
        }
        ssh = c.sshKeyFile() != null ? sshFactory(c, sshHome) : null;
    }

    static GitAccess open(ConfigRepository repo, Path sshHome, int timeoutSeconds) {
        return new GitAccess(repo, sshHome, timeoutSeconds);
    }

    <C extends TransportCommand<C, ?>> C configure(C command) {
        command.setTimeout(timeoutSeconds);
        if (credentials != null) {
            command.setCredentialsProvider(credentials);
        }
        if (ssh != null) {
            command.setTransportConfigCallback(transport -> {
                if (transport instanceof SshTransport sshTransport) {
                    sshTransport.setSshSessionFactory(ssh);
                }
            });
        }
        return command;
    }

    /** Translates a transport failure: credential rejections become {@link GitAuthenticationException}. */
    GitOpsException translate(String operation, Exception e) {
        String detail = scrub(rootMessage(e));
        Throwable cause = safeCause(e);
        if (isTransportFailure(e) && isAuthFailure(e)) {
            return new GitAuthenticationException(
                    "authentication failed for " + repo.redactedUrl() + " during " + operation + ": " + detail, cause);
        }
        return new RetryableGitException(operation + " of " + repo.redactedUrl() + " failed: " + detail, cause);
    }

    /** Removes userinfo and secret values from a message. */
    String scrub(String message) {
        if (message == null) {
            return "";
        }
        String out = message.replaceAll("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]*@", "$1");
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                out = out.replace(secret, "****");
            }
        }
        return out;
    }

    /** The original exception as cause unless one of its messages would leak a secret. */
    Throwable safeCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !scrub(message).equals(message)) {
                return null;
            }
        }
        return e;
    }

    static boolean isTransportFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TransportException || t instanceof org.eclipse.jgit.errors.TransportException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("not authorized") || m.contains("authentication") || m.contains("auth fail")
                    || m.contains("401") || m.contains("403") || m.contains("forbidden")
                    || m.contains("permission denied") || m.contains("no credentialsprovider")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = message + " (" + t.getMessage() + ")";
                break;
            }
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** A credential file's content; a missing one (e.g. its optional Secret not created) names its setting. */
    private String read(String setting, Path file) {
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8);
            return value.replaceAll("[\\r\\n]+$", "");
        } catch (IOException e) {
            throw unreadable(setting, file, e);
        }
    }

    private void requireReadable(String setting, Path file) {
        if (!Files.isReadable(file)) {
            throw unreadable(setting, file, new java.nio.file.NoSuchFileException(file.toString()));
        }
    }

    private GitAuthenticationException unreadable(String setting, Path file, IOException e) {
        return new GitAuthenticationException("cannot read credential file " + file + " (config-repo.credentials."
                + setting + ") for " + repo.redactedUrl() + ": " + e.getClass().getSimpleName()
                + "; is the Secret that holds it created?", null);
    }

    private static SshdSessionFactory sshFactory(GitCredentials c, Path sshHome) {
        try {
            Files.createDirectories(sshHome);
        } catch (IOException e) {
            throw new RetryableGitException("cannot create ssh home " + sshHome, e);
        }
        SshdSessionFactoryBuilder builder = new SshdSessionFactoryBuilder()
                .setPreferredAuthentications("publickey")
                .setHomeDirectory(sshHome.toFile())
                .setSshDirectory(sshHome.toFile())
                .setConfigStoreFactory((home, config, user) -> null)
                .setDefaultIdentities(dir -> List.of(c.sshKeyFile()));
        if (c.knownHostsFile() != null) {
            // The default database checks strictly: unknown or changed host keys are rejected (no prompt).
            builder.setDefaultKnownHostsFiles(dir -> List.of(c.knownHostsFile()));
        } else {
            builder.setServerKeyDatabase((home, dir) -> AcceptAnyHost.INSTANCE);
        }
        return builder.build(null);
    }

    /** Used only when no known_hosts file is configured. */
    private enum AcceptAnyHost implements ServerKeyDatabase {
        INSTANCE;

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return List.of();
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                Configuration config, CredentialsProvider provider) {
            return true;
        }
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
    }
}
