package dev.poplar.pop3.server.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts failed logins per client address and per user name, and says how long to delay the answer to the next
 * failure: the initial delay, doubled for each further recent failure, up to the maximum. Entries expire a window after
 * the last failure and the number of entries is bounded, so a flood of addresses cannot exhaust memory.
 */
public final class LoginThrottle {

    private static final int MAX_ENTRIES = 100_000;

    private final Duration initial;
    private final Duration max;
    private final Duration window;
    /** Built at the first failure: a server that never sees one (a test server) never pays for it. */
    private volatile Cache<Object, AtomicInteger> failures;

    /**
     * Creates a throttle.
     *
     * @param initial the delay after the first failure
     * @param max the longest delay
     * @param window how long failures are remembered after the last one
     */
    public LoginThrottle(Duration initial, Duration max, Duration window) {
        this.initial = initial;
        this.max = max;
        this.window = window;
    }

    private Cache<Object, AtomicInteger> failures() {
        Cache<Object, AtomicInteger> cache = failures;
        if (cache == null) {
            synchronized (this) {
                cache = failures;
                if (cache == null) {
                    cache = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(MAX_ENTRIES).build();
                    failures = cache;
                }
            }
        }
        return cache;
    }

    /**
     * Records a failure and returns the delay to apply before answering it.
     *
     * @param address the client address
     * @param user the user name tried, or an empty string
     * @return the delay
     */
    public Duration failed(InetAddress address, String user) {
        int byAddress = increment(address);
        int byUser = user.isEmpty() ? 0 : increment(new UserKey(user));
        int count = Math.max(byAddress, byUser);
        if (initial.isZero()) {
            return Duration.ZERO;
        }
        Duration delay = initial.multipliedBy(1L << Math.min(count - 1, 20));
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /**
     * Forgets the failures of a user after a successful login. Failures by address stay: they expire on their own.
     *
     * @param user the user who logged in
     */
    public void succeeded(String user) {
        Cache<Object, AtomicInteger> cache = failures;
        if (cache != null) {
            cache.invalidate(new UserKey(user));
        }
    }

    private int increment(Object key) {
        // Re-put so that expireAfterWrite counts from the latest failure.
        Cache<Object, AtomicInteger> cache = failures();
        AtomicInteger counter = cache.get(key, k -> new AtomicInteger());
        int value = counter.incrementAndGet();
        cache.put(key, counter);
        return value;
    }

    private record UserKey(String user) {
    }
}
