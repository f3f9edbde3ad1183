package dev.relay.verify;

/**
 * The image the config repository says should run in an environment.
 *
 * @param image  repository, without tag or digest
 * @param tag    tag, or null when the manifest pins only a digest
 * @param digest {@code sha256:…}, or null when the manifest does not pin one
 * @param source where it was read, for check details (e.g. "apps/x/kustomization.yaml at 4c3f5e2")
 */
public record ExpectedImage(String image, String tag, String digest, String source) {

    /** {@code image:tag@digest}, leaving out what is unknown. */
    public String reference() {
        return image + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    public ExpectedImage withDigest(String knownDigest) {
        return new ExpectedImage(image, tag, knownDigest, source);
    }
}
