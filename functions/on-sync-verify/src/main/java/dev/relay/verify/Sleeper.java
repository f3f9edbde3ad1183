package dev.relay.verify;

import java.time.Duration;

/** The pause between two looks at a rollout in progress (replaced in tests, where nothing sleeps). */
@FunctionalInterface
public interface Sleeper {

    Sleeper THREAD = duration -> Thread.sleep(duration.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
