package dev.poplar.pop3.server;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that nothing signals (a store's lock, a count of sessions), without holding a core: checks it
 * every few milliseconds until a deadline.
 */
public final class Await {

    private static final long PAUSE_NANOS = Duration.ofMillis(5).toNanos();

    private Await() {
    }

    /**
     * Waits until a condition holds.
     *
     * @param what what is awaited, for the failure message
     * @param condition the condition
     * @param timeout the longest wait
     * @throws AssertionError if it does not hold in time
     */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("still waiting after " + timeout + " for " + what);
            }
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }
}
