package dev.relay.shared.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Confines repository-relative paths to a work tree. */
final class WorkTreePaths {

    private WorkTreePaths() {
    }

    static Path resolveInside(Path workTree, String relativePath) {
        if (relativePath == null || relativePath.isBlank()) {
            throw new InvalidRepoPathException("path must not be empty");
        }
        String shown = printable(relativePath);
        if (relativePath.indexOf('\0') >= 0 || relativePath.chars().anyMatch(c -> c < 0x20)) {
            throw new InvalidRepoPathException("path contains control characters: " + shown);
        }
        String normalized = relativePath.replace('\\', '/');
        if (normalized.startsWith("/") || normalized.matches("^[A-Za-z]:.*") || Path.of(relativePath).isAbsolute()) {
            throw new InvalidRepoPathException("path must be relative to the repository root: " + shown);
        }
        String[] segments = normalized.split("/");
        for (String segment : segments) {
            if (segment.equals("..")) {
                throw new InvalidRepoPathException("path must not contain '..': " + shown);
            }
        }
        if (segments[0].equalsIgnoreCase(".git")) {
            throw new InvalidRepoPathException("path must not point into .git: " + shown);
        }
        try {
            Path root = workTree.toRealPath();
            Path candidate = root;
            for (String segment : segments) {
                if (segment.isEmpty() || segment.equals(".")) {
                    continue;
                }
                candidate = candidate.resolve(segment);
                if (Files.isSymbolicLink(candidate)) {
                    if (!Files.exists(candidate)) {
                        throw new InvalidRepoPathException("path goes through a dangling symlink: " + shown);
                    }
                    if (!candidate.toRealPath().startsWith(root)) {
                        throw new InvalidRepoPathException("path escapes the work tree through a symlink: " + shown);
                    }
                } else if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                    break; // nothing below a missing entry can be a link yet
                }
            }
            Path resolved = root.resolve(normalized).normalize();
            if (!resolved.startsWith(root) || resolved.equals(root)) {
                throw new InvalidRepoPathException("path escapes the work tree: " + shown);
            }
            return resolved;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String printable(String path) {
        StringBuilder out = new StringBuilder("'");
        path.codePoints().limit(200).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('\'').toString();
    }
}
