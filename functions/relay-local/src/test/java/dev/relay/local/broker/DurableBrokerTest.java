package dev.relay.local.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.relay.shared.events.RelayExtensions;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded broker's promises across restarts, against a real loopback HTTP subscriber: what was accepted is
 * delivered (after a shutdown or with the journal reopened), dead letters persist until replayed, a full broker
 * refuses instead of dropping, and a stuck config repository's lane does not hold up another's.
 */
class DurableBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TRIGGERS = """
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: to-subscriber
            spec:
              broker: default
              filter:
                attributes:
                  type: dev.relay.test.work
              subscriber:
                ref:
                  apiVersion: serving.knative.dev/v1
                  kind: Service
                  name: subscriber
              delivery:
                retry: 1
                deadLetterSink:
                  ref:
                    apiVersion: serving.knative.dev/v1
                    kind: Service
                    name: relay-dead-letters
            """;

    @TempDir
    Path journalDir;

    private HttpServer server;
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private final List<String> order = Collections.synchronizedList(new ArrayList<>());
    /** How the subscriber answers an event id: 200 unless told otherwise. */
    private volatile Function<String, Integer> answer = id -> 200;
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private final AtomicInteger answered = new AtomicInteger();
    private final List<EmbeddedBroker> brokers = new ArrayList<>();

    @BeforeEach
    void subscriber() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/subscriber", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        hold.countDown();
        brokers.forEach(EmbeddedBroker::close);
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestHeaders().getFirst("ce-id");
        String app = exchange.getRequestHeaders().getFirst("ce-relayapp");
        exchange.getRequestBody().readAllBytes();
        if (!"fast".equals(app)) {
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int status = answer.apply(id);
        if (status == 200) {
            received.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
            order.add(id);
        }
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        } finally {
            exchange.close();
            answered.incrementAndGet();
        }
    }

    private EmbeddedBroker broker(int maxPending, Duration drainTimeout) {
        BrokerProperties properties = new BrokerProperties(null, 500, 1, Duration.ofSeconds(30), journalDir,
                maxPending, drainTimeout);
        SubscriberResolver resolver = new SubscriberResolver("subscriber"::equals, () -> server.getAddress().getPort());
        EmbeddedBroker broker = new EmbeddedBroker(new TriggerLoader().parse(TRIGGERS, "test"), resolver,
                JsonMapper.builder().build(), properties, journalDir,
                event -> RelayExtensions.read(event, RelayExtensions.APP).map(app -> "repo-" + app)
                        .orElse(DeliveryLanes.DEFAULT_LANE), null);
        brokers.add(broker);
        broker.start();
        return broker;
    }

    private static CloudEvent event(String id, String app) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/test")).withType("dev.relay.test.work")
                .withExtension(RelayExtensions.APP, app)
                .withData("application/json", "{\"n\":1}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private int deliveries(String id) {
        AtomicInteger count = received.get(id);
        return count == null ? 0 : count.get();
    }

    @Test
    void eventsInFlightAtShutdownStayJournaledAndAreDeliveredOnceAfterRestart() {
        hold = new CountDownLatch(1);
        EmbeddedBroker first = broker(100, Duration.ofMillis(200));
        for (int i = 0; i < 5; i++) {
            first.publish(event("held-" + i, "slow"));
        }
        first.close();
        assertThat(first.deadLetters()).isEmpty();
        assertThatThrownBy(() -> first.publish(event("late", "slow")))
                .isInstanceOf(EmbeddedBroker.BrokerUnavailableException.class);
        // the request the first broker gave up on ends as a failure, so only the redelivery counts
        answer = id -> 503;
        hold.countDown();
        await().atMost(WAIT).until(() -> answered.get() == 1);
        answer = id -> 200;

        EmbeddedBroker second = broker(100, Duration.ofSeconds(5));

        await().atMost(WAIT).until(() -> order.size() >= 5);
        assertThat(order).containsExactly("held-0", "held-1", "held-2", "held-3", "held-4");
        second.close();
        EmbeddedBroker third = broker(100, Duration.ofSeconds(5));
        assertThat(third.recentEvents()).isEmpty();
        assertThat(third.deadLetters()).isEmpty();
        assertThat(received.keySet()).doesNotContain("late");
    }

    @Test
    void anAbandonedJournalIsReplayedInFullOnTheNextStart() {
        hold = new CountDownLatch(1);
        EmbeddedBroker crashed = broker(100, Duration.ZERO);
        crashed.publish(event("crash-1", "slow"));
        crashed.publish(event("crash-2", "slow"));
        // no close: the next broker opens the journal as a process restarted after kill -9 would
        try (BrokerJournal reopened = BrokerJournal.open(journalDir)) {
            assertThat(reopened.recovered().pending()).extracting(BrokerJournal.Accepted::triggers)
                    .containsExactly(Set.of("to-subscriber"), Set.of("to-subscriber"));
        }
    }

    @Test
    void deadLettersSurviveARestartWithTheirReasonAndReplayToOneDelivery() {
        answer = id -> 503;
        EmbeddedBroker first = broker(100, Duration.ofSeconds(5));
        first.publish(event("doomed", "fast"));
        await().atMost(WAIT).until(() -> !first.deadLetters().isEmpty());
        first.close();

        answer = id -> 200;
        EmbeddedBroker second = broker(100, Duration.ofSeconds(5));
        assertThat(second.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.eventId()).isEqualTo("doomed");
            assertThat(letter.trigger()).isEqualTo("to-subscriber");
            assertThat(letter.reason()).contains("answered 503").contains("2 attempt(s)");
            assertThat(letter.sink()).isEqualTo("internal:Service/relay-dead-letters");
        });
        assertThat(deliveries("doomed")).isZero();
        String id = second.deadLetters().get(0).id();

        assertThat(second.replayDeadLetter(id)).isPresent();
        assertThat(second.replayDeadLetter(id)).isEmpty();

        await().atMost(WAIT).until(() -> deliveries("doomed") == 1);
        assertThat(second.deadLetters()).isEmpty();
        second.close();
        EmbeddedBroker third = broker(100, Duration.ofSeconds(5));
        assertThat(third.deadLetters()).isEmpty();
        assertThat(deliveries("doomed")).isEqualTo(1);
    }

    @Test
    void aFullBrokerRefusesAtIngressAndDeliversEverythingItAccepted() {
        hold = new CountDownLatch(1);
        EmbeddedBroker broker = broker(3, Duration.ofSeconds(5));
        List<String> accepted = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 10; i++) {
            try {
                broker.publish(event("burst-" + i, "slow"));
                accepted.add("burst-" + i);
            } catch (EmbeddedBroker.BrokerOverloadedException e) {
                refused++;
            }
        }
        assertThat(accepted).hasSize(3);
        assertThat(refused).isEqualTo(7);

        hold.countDown();
        await().atMost(WAIT).until(() -> accepted.stream().allMatch(id -> deliveries(id) == 1));
        await().atMost(WAIT).until(() -> broker.pendingDeliveries() == 0);
        broker.publish(event("after", "slow"));
        await().atMost(WAIT).until(() -> deliveries("after") == 1);
    }

    @Test
    void aStuckConfigRepositoryDoesNotHoldUpAnotherOnesLane() {
        hold = new CountDownLatch(1);
        EmbeddedBroker broker = broker(100, Duration.ofMillis(200));
        broker.publish(event("stuck-1", "slow"));
        broker.publish(event("stuck-2", "slow"));
        for (int i = 0; i < 3; i++) {
            broker.publish(event("fast-" + i, "fast"));
        }

        await().atMost(WAIT).until(() -> deliveries("fast-0") + deliveries("fast-1") + deliveries("fast-2") == 3);
        assertThat(deliveries("stuck-1") + deliveries("stuck-2")).isZero();
    }
}
