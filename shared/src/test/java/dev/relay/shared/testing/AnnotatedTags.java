package dev.relay.shared.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevWalk;

/** Real annotated tags in a test repository: a tag object whose id differs from the commit it points to. */
public final class AnnotatedTags {

    /** The tag object's id and the id of the commit it points to. */
    public record Tag(String name, String tagObject, String commit) {
    }

    private AnnotatedTags() {
    }

    /** Creates annotated tag {@code name} on the head of {@code branch} in the bare repository {@code bare}. */
    public static Tag create(Path bare, String branch, String name, String message) {
        try (Git git = Git.open(bare.toFile()); RevWalk walk = new RevWalk(git.getRepository())) {
            ObjectId head = git.getRepository().resolve(Constants.R_HEADS + branch);
            Ref ref = git.tag().setName(name).setAnnotated(true).setMessage(message)
                    .setTagger(new PersonIdent("Tagger", "tagger@example.com"))
                    .setObjectId(walk.parseCommit(head)).call();
            ObjectId tagObject = ref.getObjectId();
            ObjectId commit = walk.peel(walk.parseAny(tagObject));
            if (tagObject.equals(commit)) {
                throw new IllegalStateException("tag " + name + " is not annotated");
            }
            return new Tag(name, tagObject.name(), commit.name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }
}
