package dev.relay.build;

import dev.relay.shared.config.RelayProperties;
import dev.relay.shared.yaml.ImageValues;

/**
 * The image tag of a build: a tag push builds {@code :<git tag>}; a branch push renders
 * {@code build.image-tag-template} with {@code {shortSha}} (first 7 hex), {@code {sha}} and {@code {branch}}.
 */
public final class ImageTags {

    public static final int SHORT_SHA = 7;

    private ImageTags() {
    }

    /**
     * @throws dev.relay.shared.yaml.InvalidImageValueException when the result is not a valid image tag
     */
    public static String tagFor(RelayProperties.Build build, GitRef ref, String commit) {
        if (!ref.isBranch()) {
            return ImageValues.requireTag("ref (tag name as image tag)", ref.name());
        }
        String tag = build.imageTagTemplate()
                .replace("{shortSha}", commit.substring(0, SHORT_SHA))
                .replace("{sha}", commit)
                .replace("{branch}", branchForTag(ref.name()));
        if (tag.length() > 128) {
            tag = tag.substring(0, 128);
        }
        return ImageValues.requireTag("build.image-tag-template (rendered)", tag);
    }

    /** A branch name with every character an image tag may not hold replaced by '-'. */
    static String branchForTag(String branch) {
        return branch.replaceAll("[^A-Za-z0-9_.-]", "-");
    }

    /** Whether the tag says nothing but the commit: builds of any branch at that commit are then the same image. */
    public static boolean isCommitOnly(String tag, String commit) {
        return tag.equals(commit) || tag.equals(commit.substring(0, SHORT_SHA));
    }
}
