package dev.relay.local.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.local.broker.DeliveryPolicy.BackoffPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeliveryPolicyTest {

    @Test
    void shouldGrowLinearly() {
        DeliveryPolicy policy = new DeliveryPolicy(5, BackoffPolicy.LINEAR, Duration.ofMillis(2500), null);
        assertThat(policy.delayBeforeRetry(1)).isEqualTo(Duration.ofMillis(2500));
        assertThat(policy.delayBeforeRetry(2)).isEqualTo(Duration.ofMillis(5000));
        assertThat(policy.delayBeforeRetry(5)).isEqualTo(Duration.ofMillis(12500));
        assertThat(policy.maxAttempts()).isEqualTo(6);
    }

    @Test
    void shouldGrowExponentially() {
        DeliveryPolicy policy = new DeliveryPolicy(5, BackoffPolicy.EXPONENTIAL, Duration.ofMillis(500), null);
        assertThat(policy.delayBeforeRetry(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayBeforeRetry(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayBeforeRetry(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayBeforeRetry(5)).isEqualTo(Duration.ofSeconds(16));
    }

    @Test
    void shouldNotWaitUnlessPolicyAndDelayAreBothSet() {
        assertThat(new DeliveryPolicy(3, null, Duration.ofSeconds(1), null).delayBeforeRetry(2)).isZero();
        assertThat(new DeliveryPolicy(3, BackoffPolicy.LINEAR, null, null).delayBeforeRetry(2)).isZero();
    }

    @Test
    void shouldCapHugeWaits() {
        DeliveryPolicy policy = new DeliveryPolicy(100, BackoffPolicy.EXPONENTIAL, Duration.ofSeconds(1), null);
        assertThat(policy.delayBeforeRetry(80)).isEqualTo(Duration.ofHours(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 404, 408, 409, 429, 500, 502, 503, 504})
    void shouldRetryTransientFailuresAsKnativeDoes(int status) {
        assertThat(DeliveryPolicy.isRetryable(status)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 202, 301, 400, 401, 403, 413, 415, 422})
    void shouldNotRetryOtherAnswers(int status) {
        assertThat(DeliveryPolicy.isRetryable(status)).isFalse();
    }
}
