package dev.relay.build;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * An image FROM scratch with Jib: one layer holding a directory at {@code /app}, an optional entrypoint, OCI format;
 * written as an OCI image-layout tarball or pushed to a registry. No base image is pulled, so no registry is needed
 * for a tarball. Jib's reproducible defaults (fixed timestamps) make the same input give the same digest.
 */
public final class ScratchImage {

    public static final AbsoluteUnixPath APP = AbsoluteUnixPath.get("/app");

    /** Where the image goes: a tarball file, or {@code registryImage} ({@code host[:port]/path:tag}). */
    public sealed interface Target permits Tarball, Registry {
    }

    public record Tarball(Path file, String imageReference) implements Target {
    }

    public record Registry(String imageReference, boolean allowInsecure) implements Target {
    }

    private ScratchImage() {
    }

    /** @return the image's manifest digest, {@code sha256:...} */
    public static String build(Path content, List<String> entrypoint, Map<String, String> labels, Target target,
            Path cacheDir) throws IOException, InterruptedException, RegistryException, ExecutionException {
        JibContainerBuilder builder = Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("app").addEntryRecursive(content, APP).build())
                .setLabels(labels)
                .setWorkingDirectory(APP);
        if (!entrypoint.isEmpty()) {
            builder.setEntrypoint(entrypoint);
        }
        try {
            Containerizer containerizer = containerizer(target)
                    .setToolName("relay")
                    .setBaseImageLayersCache(cacheDir.resolve("base"))
                    .setApplicationLayersCache(cacheDir.resolve("application"));
            JibContainer container = builder.containerize(containerizer);
            return container.getDigest().toString();
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("invalid image reference: " + e.getMessage(), e);
        } catch (CacheDirectoryCreationException e) {
            throw new IOException("cannot create the layer cache under " + cacheDir, e);
        }
    }

    private static Containerizer containerizer(Target target) throws InvalidImageReferenceException, IOException {
        if (target instanceof Tarball tarball) {
            Files.createDirectories(tarball.file().toAbsolutePath().getParent());
            return Containerizer.to(TarImage.at(tarball.file()).named(tarball.imageReference())).setOfflineMode(true);
        }
        Registry registry = (Registry) target;
        return Containerizer.to(RegistryImage.named(registry.imageReference()))
                .setAllowInsecureRegistries(registry.allowInsecure());
    }
}
