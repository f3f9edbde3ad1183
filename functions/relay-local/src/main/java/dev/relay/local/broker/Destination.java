package dev.relay.local.broker;

import java.net.URI;
import java.util.Objects;

/** A Knative {@code Destination}: a reference to an addressable object, or a plain URI. */
public sealed interface Destination {

    /** Reference to a Kubernetes object, e.g. a Knative Service ({@code serving.knative.dev/v1}, {@code Service}). */
    record Ref(String apiVersion, String kind, String name, URI path) implements Destination {

        public static final String KNATIVE_SERVING_V1 = "serving.knative.dev/v1";

        public Ref {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }

        public boolean isKnativeService() {
            return "Service".equals(kind) && (apiVersion == null || apiVersion.startsWith("serving.knative.dev/"));
        }

        @Override
        public String toString() {
            return kind + "/" + name;
        }
    }

    /** An absolute URI, used as is. */
    record Uri(URI uri) implements Destination {

        public Uri {
            Objects.requireNonNull(uri, "uri");
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }
}
