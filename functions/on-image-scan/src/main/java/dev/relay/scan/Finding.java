package dev.relay.scan;

/**
 * One vulnerability in one package.
 *
 * @param id               e.g. {@code CVE-2019-14697}
 * @param pkg              the package it is in
 * @param installedVersion the version the image has
 * @param fixedVersion     the first fixed version(s); {@code null} or blank when there is no fix
 */
public record Finding(String id, String pkg, String installedVersion, String fixedVersion, Severity severity) {

    public boolean fixable() {
        return fixedVersion != null && !fixedVersion.isBlank();
    }
}
