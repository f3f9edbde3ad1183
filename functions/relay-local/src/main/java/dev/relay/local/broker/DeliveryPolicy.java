package dev.relay.local.broker;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A Trigger's {@code spec.delivery}, computed the way Knative Eventing does ({@code RetryConfigFromDeliverySpec}):
 * {@code retry} redeliveries after the first attempt; the wait before retry {@code n} (1-based) is
 * {@code backoffDelay * n} for {@code linear} and {@code backoffDelay * 2^n} for {@code exponential}; no wait
 * unless both {@code backoffPolicy} and {@code backoffDelay} are set. Exhausted or non-retryable failures go to the
 * {@code deadLetterSink}, when there is one.
 */
public record DeliveryPolicy(int retry, BackoffPolicy backoffPolicy, Duration backoffDelay,
        Destination deadLetterSink) {

    public enum BackoffPolicy {
        LINEAR, EXPONENTIAL;

        public static BackoffPolicy parse(String value) {
            return switch (value) {
                case "linear" -> LINEAR;
                case "exponential" -> EXPONENTIAL;
                default -> throw new IllegalArgumentException(
                        "backoffPolicy must be linear or exponential, was '" + value + "'");
            };
        }
    }

    /** Knative's default when a Trigger (and its Broker) says nothing: one attempt, no dead-letter sink. */
    public static final DeliveryPolicy NONE = new DeliveryPolicy(0, null, null, null);

    private static final Duration MAX_WAIT = Duration.ofHours(1);

    public DeliveryPolicy {
        if (retry < 0) {
            throw new IllegalArgumentException("retry must not be negative, was " + retry);
        }
        if (backoffDelay != null && backoffDelay.isNegative()) {
            throw new IllegalArgumentException("backoffDelay must not be negative, was " + backoffDelay);
        }
    }

    /** Total attempts: the first delivery plus {@code retry} redeliveries. */
    public int maxAttempts() {
        return retry + 1;
    }

    public Optional<Destination> deadLetter() {
        return Optional.ofNullable(deadLetterSink);
    }

    /** The wait before retry number {@code retryNumber} (1 = the first redelivery). Capped at one hour. */
    public Duration delayBeforeRetry(int retryNumber) {
        if (retryNumber < 1) {
            throw new IllegalArgumentException("retry numbers start at 1, was " + retryNumber);
        }
        if (backoffPolicy == null || backoffDelay == null) {
            return Duration.ZERO;
        }
        try {
            Duration wait = switch (backoffPolicy) {
                case LINEAR -> backoffDelay.multipliedBy(retryNumber);
                case EXPONENTIAL -> retryNumber >= 62 ? MAX_WAIT : backoffDelay.multipliedBy(1L << retryNumber);
            };
            return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
        } catch (ArithmeticException overflow) {
            return MAX_WAIT;
        }
    }

    /**
     * Knative's {@code SelectiveRetry}: retry connection errors ({@code status < 0}), 5xx, 404, 408, 409 and 429;
     * never 1xx-3xx or other 4xx.
     */
    public static boolean isRetryable(int status) {
        return status < 0 || status >= 500 || status == 404 || status == 408 || status == 409 || status == 429;
    }

    public static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    @Override
    public String toString() {
        return "retry=" + retry + " backoffPolicy=" + Objects.toString(backoffPolicy, "-") + " backoffDelay="
                + Objects.toString(backoffDelay, "-") + " deadLetterSink=" + Objects.toString(deadLetterSink, "-");
    }
}
