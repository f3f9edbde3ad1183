package dev.relay.build;

/**
 * A validated push, whatever its producer.
 *
 * @param repository the clone URL as sent
 * @param url        the parsed clone URL
 * @param commit     the pushed commit (40 or 64 lowercase hex; all zeros when the ref was deleted)
 * @param commitTime the commit's committer time when the producer tells it (ISO-8601, normalised), else null
 */
public record Push(String repository, RepositoryUrl url, GitRef ref, String commit, String before, String pusher,
        String provider, String commitTime) {

    public Push(String repository, RepositoryUrl url, GitRef ref, String commit, String before, String pusher,
            String provider) {
        this(repository, url, ref, commit, before, pusher, provider, null);
    }

    /** A push that deleted its ref: there is nothing to build. */
    public boolean isDeletion() {
        return commit.chars().allMatch(c -> c == '0');
    }
}
