package dev.poplar.pop3.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Counts the failed operations of one run and keeps the first failure's message. Thread-safe. */
final class RunFailures {

    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<String> first = new AtomicReference<>();

    void add(Exception e) {
        count.incrementAndGet();
        first.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /** Counts {@code count} failures reported elsewhere (by another process), the first of them described. */
    void addAll(long count, String firstFailure) {
        if (count > 0) {
            this.count.addAndGet(count);
            first.compareAndSet(null, firstFailure);
        }
    }

    long count() {
        return count.get();
    }

    /** The first failure's message, or {@code null} if none. */
    String first() {
        return first.get();
    }
}
