package dev.poplar.pop3.server.internal.net;

/**
 * A token bucket: octets may be sent at {@code octetsPerSecond} on average, and up to {@code capacity} at once after a
 * pause. A sender reserves the octets of a chunk and learns how long to wait before sending it (it never blocks); the
 * bucket may go into debt, which later reservations wait out, so chunks larger than the capacity work too.
 * Thread-safe: a user's bucket is shared by that user's connections, which run on different I/O threads.
 */
final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1e9;

    private final long octetsPerSecond;
    private final long capacity;
    private double tokens;
    private long refilled;

    /**
     * Creates a bucket.
     *
     * @param octetsPerSecond the average rate, at least 1
     * @param capacity the most octets sent at once after a pause, at least 1
     * @param full whether the bucket starts full (else empty)
     * @param now the current {@link System#nanoTime()}
     */
    TokenBucket(long octetsPerSecond, long capacity, boolean full, long now) {
        this.octetsPerSecond = octetsPerSecond;
        this.capacity = capacity;
        this.tokens = full ? capacity : 0;
        this.refilled = now;
    }

    /**
     * Reserves octets.
     *
     * @param octets how many octets are about to be sent
     * @param now the current {@link System#nanoTime()}
     * @return how long to wait before sending them, in nanoseconds; 0 to send now
     */
    synchronized long reserve(long octets, long now) {
        if (now > refilled) {
            tokens = Math.min(capacity, tokens + (now - refilled) * (octetsPerSecond / NANOS_PER_SECOND));
            refilled = now;
        }
        tokens -= octets;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * NANOS_PER_SECOND / octetsPerSecond);
    }

    /** @return the most octets sent at once */
    long capacity() {
        return capacity;
    }
}
