package dev.poplar.pop3.server.internal.net;

/**
 * The output limits of one connection: its own bucket and, once logged in, its user's. I/O thread only (the user's
 * bucket itself is shared and thread-safe).
 */
final class Throttle {

    private final Bandwidth bandwidth;
    private final TokenBucket session;
    private TokenBucket user;
    private String userName;

    Throttle(Bandwidth bandwidth, TokenBucket session) {
        this.bandwidth = bandwidth;
        this.session = session;
    }

    /**
     * The connection has logged in: from now on it shares its user's bucket. Only the first call counts.
     *
     * @param name the user name
     */
    void user(String name) {
        if (userName == null && bandwidth.limitsUsers()) {
            userName = name;
            user = bandwidth.join(name);
        }
    }

    /** @return whether the user's bucket is still to be joined: limits per user apply, and no user is known yet */
    boolean awaitsUser() {
        return userName == null && bandwidth.limitsUsers();
    }

    /** The connection has closed: the user's bucket is shared by one connection less. */
    void release() {
        if (userName != null) {
            bandwidth.leave(userName);
            userName = null;
            user = null;
        }
    }

    /** @return whether output may be delayed */
    boolean limited() {
        return session != null || user != null;
    }

    /**
     * The largest chunk to write at once: no more than any bucket allows at once.
     *
     * @param max the chunk size without limits
     * @return the chunk size
     */
    int chunkOctets(int max) {
        long size = max;
        if (session != null) {
            size = Math.min(size, session.capacity());
        }
        if (user != null) {
            size = Math.min(size, user.capacity());
        }
        return (int) size;
    }

    /**
     * Reserves the octets of a chunk in every bucket.
     *
     * @param octets the chunk's size
     * @param now the current {@link System#nanoTime()}
     * @return how long to wait before writing it, in nanoseconds
     */
    long reserve(int octets, long now) {
        long wait = 0;
        if (session != null) {
            wait = session.reserve(octets, now);
        }
        if (user != null) {
            wait = Math.max(wait, user.reserve(octets, now));
        }
        return wait;
    }
}
