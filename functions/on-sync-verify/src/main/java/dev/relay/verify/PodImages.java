package dev.relay.verify;

import dev.relay.shared.events.Payloads;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Does every ready pod run the expected image? A container matches when its {@code image} is {@code image:tag};
 * when the manifest pins a digest, when its {@code image} is {@code image@digest} or {@code image:tag@digest}, or is
 * {@code image:tag} and its status {@code imageID} ends with the digest (a tag alone is not enough then).
 */
public final class PodImages {

    public static final String CHECK = "pods-image";
    private static final int SHOWN = 5;

    private PodImages() {
    }

    /**
     * @param desiredReplicas {@code spec.replicas}: with none desired, no ready pod is fine
     * @param container       the container to check; null: the one whose image repository is the expected one
     */
    public static Payloads.Check check(List<Pod> pods, int desiredReplicas, String container, ExpectedImage expected) {
        List<Pod> ready = pods.stream().filter(PodImages::isReady).toList();
        String want = expected.reference() + " (" + expected.source() + ")";
        if (ready.isEmpty()) {
            return desiredReplicas == 0
                    ? new Payloads.Check(CHECK, true, "no replicas desired; no pod to check; expected " + want)
                    : new Payloads.Check(CHECK, false, "no ready pod found; expected " + want);
        }
        List<String> wrong = new ArrayList<>();
        for (Pod pod : ready) {
            mismatch(pod, container, expected).ifPresent(wrong::add);
        }
        if (wrong.isEmpty()) {
            return new Payloads.Check(CHECK, true, ready.size() + " ready pod(s) run " + want);
        }
        return new Payloads.Check(CHECK, false, wrong.size() + " of " + ready.size() + " ready pod(s) do not run "
                + want + ": " + String.join("; ", wrong.subList(0, Math.min(SHOWN, wrong.size())))
                + (wrong.size() > SHOWN ? "; …" : ""));
    }

    /** The digest every ready pod's matching container reports in {@code imageID}, when they all agree. */
    public static Optional<String> runningDigest(List<Pod> pods, String container, ExpectedImage expected) {
        Set<String> digests = new LinkedHashSet<>();
        for (Pod pod : pods.stream().filter(PodImages::isReady).toList()) {
            Optional<Container> c = container(pod, container, expected);
            if (c.isEmpty()) {
                return Optional.empty();
            }
            String imageId = status(pod, c.get().getName()).map(ContainerStatus::getImageID).orElse("");
            int at = imageId.lastIndexOf("@sha256:");
            if (at < 0) {
                return Optional.empty();
            }
            digests.add(imageId.substring(at + 1));
        }
        return digests.size() == 1 && digests.iterator().next().matches("sha256:[a-f0-9]{64}")
                ? Optional.of(digests.iterator().next()) : Optional.empty();
    }

    static boolean isReady(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null
                || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }

    private static Optional<String> mismatch(Pod pod, String containerName, ExpectedImage expected) {
        String name = pod.getMetadata().getName();
        Optional<Container> container = container(pod, containerName, expected);
        if (container.isEmpty()) {
            List<String> images = pod.getSpec() == null ? List.of()
                    : pod.getSpec().getContainers().stream().map(c -> c.getName() + "=" + c.getImage()).toList();
            return Optional.of("pod " + name + (containerName == null ? " has no container of " + expected.image()
                    : " has no container '" + containerName + "'") + " (" + String.join(", ", images) + ")");
        }
        String image = container.get().getImage();
        String imageId = status(pod, container.get().getName()).map(ContainerStatus::getImageID).orElse(null);
        if (matches(image, imageId, expected)) {
            return Optional.empty();
        }
        return Optional.of("pod " + name + " container " + container.get().getName() + " runs " + image
                + (imageId == null || imageId.isBlank() ? "" : " (imageID " + imageId + ")"));
    }

    static boolean matches(String image, String imageId, ExpectedImage expected) {
        if (image == null) {
            return false;
        }
        String repo = expected.image();
        if (expected.digest() == null) {
            return expected.tag() != null && image.equals(repo + ":" + expected.tag());
        }
        String digest = expected.digest();
        if (image.equals(repo + "@" + digest)
                || (expected.tag() != null && image.equals(repo + ":" + expected.tag() + "@" + digest))) {
            return true;
        }
        return expected.tag() != null && image.equals(repo + ":" + expected.tag()) && imageId != null
                && imageId.endsWith(digest);
    }

    private static Optional<Container> container(Pod pod, String name, ExpectedImage expected) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return Optional.empty();
        }
        return pod.getSpec().getContainers().stream()
                .filter(c -> name != null ? name.equals(c.getName()) : expected.image().equals(repository(c.getImage())))
                .findFirst();
    }

    private static Optional<ContainerStatus> status(Pod pod, String container) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream().filter(s -> container.equals(s.getName())).findFirst();
    }

    /** {@code registry:5000/team/app:1.0@sha256:…} → {@code registry:5000/team/app}. */
    static String repository(String image) {
        if (image == null) {
            return "";
        }
        int at = image.indexOf('@');
        String withoutDigest = at < 0 ? image : image.substring(0, at);
        int colon = withoutDigest.lastIndexOf(':');
        return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.substring(0, colon) : withoutDigest;
    }
}
