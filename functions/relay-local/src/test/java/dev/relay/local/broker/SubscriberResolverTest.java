package dev.relay.local.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriberResolverTest {

    private static final Destination.Ref ON_PUSH_BUILD =
            new Destination.Ref(Destination.Ref.KNATIVE_SERVING_V1, "Service", "on-push-build", null);

    @Test
    void aServiceServedByAnotherProcessResolvesToItsUrlWithTheRefsPath() {
        SubscriberResolver resolver = new SubscriberResolver(name -> true, () -> 8080,
                Map.of("on-push-build", URI.create("http://127.0.0.1:41234")));

        assertThat(resolver.resolve(ON_PUSH_BUILD)).contains(URI.create("http://127.0.0.1:41234"));
        assertThat(resolver.resolve(new Destination.Ref(null, "Service", "on-push-build", URI.create("/hooks"))))
                .contains(URI.create("http://127.0.0.1:41234/hooks"));
        assertThat(resolver.isResolvable(ON_PUSH_BUILD)).isTrue();
    }

    @Test
    void aServiceNeitherHostedNorMappedDoesNotResolve() {
        SubscriberResolver resolver = new SubscriberResolver(HostedFunctions.none(), () -> 8080,
                Map.of("on-image-scan", URI.create("http://127.0.0.1:41235")));

        assertThat(resolver.resolve(ON_PUSH_BUILD)).isEmpty();
        assertThat(resolver.isResolvable(ON_PUSH_BUILD)).isFalse();
    }

    @Test
    void aHostedServiceStillResolvesToThisProcess() {
        SubscriberResolver resolver = new SubscriberResolver(name -> true, () -> 8080);

        assertThat(resolver.resolve(ON_PUSH_BUILD)).contains(URI.create("http://127.0.0.1:8080/on-push-build"));
    }
}
