package dev.relay.shared.gitops;

/** One value changed in one file of the work tree ({@code oldValue} null when added). */
public record FileChange(String path, String oldValue, String newValue) {
}
