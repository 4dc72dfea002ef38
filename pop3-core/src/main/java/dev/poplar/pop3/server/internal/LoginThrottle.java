package dev.poplar.pop3.server.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The failed-login penalty: it slows the next <em>attempt</em>, whatever its outcome, rather than the answer to a
 * failure. A client that hangs up when an answer is late therefore learns nothing sooner.
 *
 * <p><b>Per address</b> (an IPv6 client by its /64, since one host usually has the whole prefix): after {@code n}
 * recent failures the penalty is {@code initial × 2^(n-1)}, at most {@code max}. Attempts from a penalised address
 * take turns spaced by the penalty: one attempt may wait for the next turn, and any other made meanwhile is refused,
 * so opening more connections does not speed guessing up, and a turn taken by a client that then hangs up is lost to
 * it. Attempts from an address without recent failures are never held.
 *
 * <p><b>Per user name</b>, softly: failures for a user delay the next attempts for that name from anywhere by the same
 * doubling penalty, but at most {@code maxPerUser}, and attempts for a user are never refused or queued: the real user
 * logging in from another address waits a little at worst and is never locked out.
 *
 * <p>Failures are remembered for {@code window} after the last one (per entry); a successful login forgets the user's
 * failures, not the address's. Entries are bounded in number, so a flood of addresses cannot exhaust memory.
 * Trusted networks are the caller's business: it does not ask the throttle for them. Thread-safe.
 */
public final class LoginThrottle {

    private static final int MAX_ENTRIES = 100_000;

    private final long initial;
    private final long max;
    private final long maxPerUser;
    private final Duration window;
    private final LongSupplier clock;
    /** Built at the first failure: a server that never sees one (a test server) never pays for it. */
    private volatile Cache<Object, Penalty> penalties;

    /**
     * Creates a throttle.
     *
     * @param initial the penalty after the first failure; zero for none at all
     * @param max the longest penalty of an address
     * @param maxPerUser the longest penalty that failures for a user name put on attempts for that name
     * @param window how long failures are remembered after the last one
     * @param clock the time in nanoseconds, as {@link System#nanoTime()}
     */
    public LoginThrottle(Duration initial, Duration max, Duration maxPerUser, Duration window, LongSupplier clock) {
        this.initial = initial.toNanos();
        this.max = max.toNanos();
        this.maxPerUser = Math.min(maxPerUser.toNanos(), this.max);
        this.window = window;
        this.clock = clock;
    }

    /**
     * Recent failures and the earliest time of the next attempt, for one address or one user name.
     *
     * @param failures recent failures
     * @param next when the next attempt may start, in clock nanoseconds
     */
    private record Penalty(int failures, long next) {
    }

    private record UserKey(String user) {
    }

    private record AddressKey(byte[] octets) {
        @Override
        public boolean equals(Object o) {
            return o instanceof AddressKey k && Arrays.equals(k.octets, octets);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(octets);
        }

        @Override
        public String toString() {
            return "AddressKey" + Arrays.toString(octets);
        }
    }

    /**
     * Takes a turn for a login attempt: says how long it must wait before its credentials are checked, or that it is
     * refused. A turn taken counts even if the client hangs up before it comes.
     *
     * @param address the client's address
     * @param user the user name of the attempt, or an empty string if it names none
     * @return the wait, zero for none; empty if the attempt is refused
     */
    public Optional<Duration> admit(InetAddress address, String user) {
        Cache<Object, Penalty> cache = penalties;
        if (cache == null || initial == 0) {
            return Optional.of(Duration.ZERO);
        }
        long now = clock.getAsLong();
        long[] wait = {0};
        boolean[] refused = {false};
        cache.asMap().computeIfPresent(key(address), (k, p) -> {
            long penalty = penalty(p.failures(), max);
            long turn = Math.max(now, p.next());
            if (turn - now > penalty) {
                // Another attempt holds the next turn: at most one waits, so that each failure doubles the
                // spacing of the very next attempt rather than of attempts queued long before.
                refused[0] = true;
                return p;
            }
            wait[0] = turn - now;
            return new Penalty(p.failures(), turn + penalty);
        });
        if (refused[0]) {
            return Optional.empty();
        }
        if (!user.isEmpty()) {
            Penalty byUser = cache.getIfPresent(new UserKey(user));
            if (byUser != null) {
                wait[0] = Math.max(wait[0], byUser.next() - now);
            }
        }
        return Optional.of(Duration.ofNanos(wait[0]));
    }

    /**
     * Records a failed attempt.
     *
     * @param address the client's address
     * @param user the user name tried, or an empty string
     */
    public void failed(InetAddress address, String user) {
        if (initial == 0) {
            return;
        }
        Cache<Object, Penalty> cache = penalties();
        long now = clock.getAsLong();
        cache.asMap().merge(key(address), new Penalty(1, now + initial), (p, first) -> {
            int failures = p.failures() + 1;
            return new Penalty(failures, Math.max(p.next(), now + penalty(failures, max)));
        });
        if (!user.isEmpty()) {
            cache.asMap().merge(new UserKey(user), new Penalty(1, now + Math.min(initial, maxPerUser)),
                    (p, first) -> {
                        int failures = p.failures() + 1;
                        return new Penalty(failures, now + penalty(failures, maxPerUser));
                    });
        }
    }

    /**
     * Forgets the failures of a user after a successful login. Failures by address stay: they expire on their own.
     *
     * @param user the user who logged in
     */
    public void succeeded(String user) {
        Cache<Object, Penalty> cache = penalties;
        if (cache != null) {
            cache.invalidate(new UserKey(user));
        }
    }

    /**
     * The penalty of an address now, for logs and tests.
     *
     * @param address the address
     * @return the number of recent failures from it
     */
    public int failures(InetAddress address) {
        Cache<Object, Penalty> cache = penalties;
        Penalty p = cache == null ? null : cache.getIfPresent(key(address));
        return p == null ? 0 : p.failures();
    }

    private long penalty(int failures, long cap) {
        int shift = Math.min(failures - 1, 62);
        return initial > cap >> shift ? cap : Math.min(initial << shift, cap);
    }

    private Cache<Object, Penalty> penalties() {
        Cache<Object, Penalty> cache = penalties;
        if (cache == null) {
            synchronized (this) {
                cache = penalties;
                if (cache == null) {
                    // expireAfterWrite: every failure and every turn taken writes the entry anew.
                    cache = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(MAX_ENTRIES)
                            .ticker(clock::getAsLong).build();
                    penalties = cache;
                }
            }
        }
        return cache;
    }

    /** An IPv4 address (also one mapped into IPv6) as itself; an IPv6 address by its /64. */
    private static AddressKey key(InetAddress address) {
        byte[] octets = address.getAddress();
        if (octets.length == 4) {
            return new AddressKey(octets);
        }
        try {
            // The JDK makes an IPv4-mapped IPv6 address (::ffff:a.b.c.d) an Inet4Address.
            InetAddress plain = InetAddress.getByAddress(octets);
            return new AddressKey(plain instanceof Inet4Address ? plain.getAddress() : Arrays.copyOf(octets, 8));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 octets are an IPv6 address", e);
        }
    }
}
