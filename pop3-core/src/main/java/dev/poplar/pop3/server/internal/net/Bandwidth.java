package dev.poplar.pop3.server.internal.net;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's output limits: octets per second per connection and per user (shared by all of a user's connections on
 * this server), each a {@link TokenBucket} that allows a tenth of a second's worth at once. A user's bucket lives while
 * the user has a connection. Thread-safe.
 */
public final class Bandwidth {

    /** A limit of zero: no limit. */
    public static final long UNLIMITED = 0;

    /** How much of a second's worth a bucket allows at once: the smoothing. */
    private static final long BURST_DIVISOR = 10;
    /** The smallest burst: what one chunk needs at the least. */
    private static final long MIN_BURST_OCTETS = 512;

    private final long perSession;
    private final long perUser;
    private final ConcurrentHashMap<String, Shared> users = new ConcurrentHashMap<>();

    /**
     * Creates the limits of a server.
     *
     * @param perSession octets per second per connection, or {@link #UNLIMITED}
     * @param perUser octets per second per user, or {@link #UNLIMITED}
     */
    public Bandwidth(long perSession, long perUser) {
        this.perSession = perSession;
        this.perUser = perUser;
    }

    /**
     * A new connection's throttle.
     *
     * @return the throttle; without limits it never delays
     */
    Throttle throttle() {
        return new Throttle(this, perSession == UNLIMITED ? null : bucket(perSession, true, System.nanoTime()));
    }

    /** @return whether users have a limit */
    boolean limitsUsers() {
        return perUser != UNLIMITED;
    }

    /**
     * A connection has logged in as a user.
     *
     * @param user the user name
     * @return the user's bucket
     */
    TokenBucket join(String user) {
        return users.compute(user, (name, shared) -> shared == null
                ? new Shared(bucket(perUser, true, System.nanoTime())) : shared.plusOne()).bucket;
    }

    /**
     * A connection of a user has closed.
     *
     * @param user the user name given to {@link #join}
     */
    void leave(String user) {
        users.computeIfPresent(user, (name, shared) -> shared.minusOne());
    }

    /** @return how many users have a bucket now */
    int users() {
        return users.size();
    }

    /**
     * A bucket for a rate.
     *
     * @param octetsPerSecond the rate
     * @param full whether it starts full
     * @param now the current {@link System#nanoTime()}
     * @return the bucket
     */
    static TokenBucket bucket(long octetsPerSecond, boolean full, long now) {
        return new TokenBucket(octetsPerSecond, Math.max(MIN_BURST_OCTETS, octetsPerSecond / BURST_DIVISOR), full,
                now);
    }

    /** A user's bucket and how many connections share it. Changed only inside the map's atomic updates. */
    private static final class Shared {
        final TokenBucket bucket;
        int connections = 1;

        Shared(TokenBucket bucket) {
            this.bucket = bucket;
        }

        Shared plusOne() {
            connections++;
            return this;
        }

        Shared minusOne() {
            return --connections == 0 ? null : this;
        }
    }
}
