package dev.relay.local.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One bounded pool of delivery threads per lane (a config repository), created on first use, so deliveries for
 * one slow repository wait behind each other and never take the threads of another. Queues are unbounded: how
 * much work is accepted is bounded at the broker's ingress, and a retry is never refused here.
 */
final class DeliveryLanes {

    /** The lane of events whose app names no known pipeline. */
    static final String DEFAULT_LANE = "default";

    private final int threadsPerLane;
    private final Map<String, ThreadPoolExecutor> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger laneCount = new AtomicInteger();
    private volatile boolean shutdown;

    DeliveryLanes(int threadsPerLane) {
        if (threadsPerLane < 1) {
            throw new IllegalArgumentException("threads per lane must be at least 1, was " + threadsPerLane);
        }
        this.threadsPerLane = threadsPerLane;
    }

    /**
     * Runs the task on the lane's threads.
     *
     * @throws RejectedExecutionException once the lanes are shut down
     */
    void execute(String lane, Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("delivery lanes are shut down");
        }
        lanes.computeIfAbsent(lane == null ? DEFAULT_LANE : lane, this::newLane).execute(task);
    }

    private ThreadPoolExecutor newLane(String lane) {
        int number = laneCount.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "relay-broker-lane" + number + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threadsPerLane, threadsPerLane, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** Stops taking tasks and waits up to {@code timeout} for running and queued ones; then interrupts the rest. */
    void shutdown(Duration timeout) {
        shutdown = true;
        List<ThreadPoolExecutor> executors = List.copyOf(lanes.values());
        executors.forEach(ThreadPoolExecutor::shutdown);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (ThreadPoolExecutor executor : executors) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !executor.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executors.forEach(ThreadPoolExecutor::shutdownNow);
    }
}
