package dev.poplar.pop3.auth.oauth.internal;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Signing keys from a JWKS URL, cached. The keys are fetched on first use, again when they are older than the
 * refresh interval, and again when a token names a key the cache does not hold (the provider rotated its keys),
 * never more often than the minimum refresh interval. One thread fetches at a time; the others keep verifying with
 * the keys they have, or wait for the fetch when they have none. When fetching fails, keys fetched earlier stay in
 * use until they reach the maximum key age; without usable keys, {@link #get} throws {@link KeySourceException},
 * which the verifier reports as "unavailable".
 */
public final class RemoteJwks implements JWKSource<SecurityContext> {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);
    /** How much longer than one fetch's time limit a thread waits for another thread's fetch. */
    private static final long WAIT_GRACE_MILLIS = 500;

    /**
     * What is known: the last keys fetched (null before the first success), when, and the last attempt.
     */
    private record State(JWKSet keys, Instant fetchedAt, Instant attemptedAt, String failure) {
    }

    private final JwksFetcher fetcher;
    private final Clock clock;
    private final Duration timeout;
    private final Duration refreshInterval;
    private final Duration minRefreshInterval;
    private final Duration maxKeyAge;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile State state = new State(null, null, null, null);

    /**
     * A key source; nothing is fetched before the first {@link #get}.
     *
     * @param fetcher downloads the set
     * @param timeout the fetcher's time limit
     * @param refreshInterval age after which the keys are fetched again
     * @param minRefreshInterval least time between two fetches
     * @param maxKeyAge age after which keys are no longer used while fetching fails
     * @param clock the time source
     */
    public RemoteJwks(JwksFetcher fetcher, Duration timeout, Duration refreshInterval, Duration minRefreshInterval,
                      Duration maxKeyAge, Clock clock) {
        this.fetcher = fetcher;
        this.timeout = timeout;
        this.refreshInterval = refreshInterval;
        this.minRefreshInterval = minRefreshInterval;
        this.maxKeyAge = maxKeyAge;
        this.clock = clock;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        Instant now = clock.instant();
        State known = state;
        boolean due = known.keys() == null || !now.isBefore(known.fetchedAt().plus(refreshInterval));
        if (due && mayFetch(known, now)) {
            // Without keys, wait for a fetch; with keys, a periodic refresh that another thread runs need not wait.
            known = refresh(known, known.keys() == null);
        }
        requireUsable(known, now);
        List<JWK> found = selector.select(known.keys());
        if (found.isEmpty()) {
            // RFC 7517 key rotation: a key the cache does not know may be new at the provider.
            if (mayFetch(known, now)) {
                known = refresh(known, true);
                requireUsable(known, now);
                found = selector.select(known.keys());
            }
            if (found.isEmpty() && known.failure() != null) {
                // The key may exist at the provider: that cannot be known now.
                throw new KeySourceException("the token's key is not among those cached, and the last fetch of "
                        + fetcher.uri() + " failed: " + known.failure());
            }
        }
        return found;
    }

    private boolean mayFetch(State known, Instant now) {
        return known.attemptedAt() == null || !now.isBefore(known.attemptedAt().plus(minRefreshInterval));
    }

    private void requireUsable(State known, Instant now) throws KeySourceException {
        if (known.keys() == null) {
            throw new KeySourceException("no keys from " + fetcher.uri() + ": "
                    + (known.failure() == null ? "still fetching" : known.failure()));
        }
        if (known.failure() != null && !now.isBefore(known.fetchedAt().plus(maxKeyAge))) {
            throw new KeySourceException("the keys from " + fetcher.uri() + " were fetched at " + known.fetchedAt()
                    + ", longer ago than maxKeyAge, and fetching them again fails: " + known.failure());
        }
    }

    /**
     * Fetches the keys unless another thread did since {@code seen} was read.
     *
     * @param seen the state the caller based its decision on
     * @param wait whether to wait for a fetch running in another thread
     * @return the state after the fetch (or the current one if another thread is fetching and {@code !wait})
     */
    private State refresh(State seen, boolean wait) throws KeySourceException {
        boolean locked;
        try {
            locked = wait
                    ? fetching.tryLock(timeout.toMillis() + WAIT_GRACE_MILLIS, TimeUnit.MILLISECONDS)
                    : fetching.tryLock();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeySourceException("interrupted while waiting for the keys from " + fetcher.uri(), e);
        }
        if (!locked) {
            return state;
        }
        try {
            State current = state;
            if (current != seen) {
                return current;
            }
            Instant attempt = clock.instant();
            State next;
            try {
                JWKSet keys = fetcher.fetch();
                logChange(current.keys(), keys);
                next = new State(keys, attempt, attempt, null);
            } catch (IOException | ParseException e) {
                String failure = e instanceof ParseException ? "not a JWK set: " + e.getMessage() : e.getMessage();
                LOG.warn("Cannot fetch the signing keys from {}: {}{}", fetcher.uri(), failure,
                        current.keys() == null ? "" : " (keeping the " + current.keys().size() + " keys fetched at "
                                + current.fetchedAt() + ")");
                next = new State(current.keys(), current.fetchedAt(), attempt, failure);
            }
            state = next;
            return next;
        } finally {
            fetching.unlock();
        }
    }

    private void logChange(JWKSet before, JWKSet after) {
        List<String> now = keyIds(after);
        if (before == null) {
            LOG.info("Fetched {} signing keys from {}: {}", after.size(), fetcher.uri(), now);
        } else if (!keyIds(before).equals(now)) {
            LOG.info("The signing keys at {} changed: {} -> {}", fetcher.uri(), keyIds(before), now);
        } else {
            LOG.debug("Refreshed the signing keys from {}: {}", fetcher.uri(), now);
        }
    }

    static List<String> keyIds(JWKSet keys) {
        return keys.getKeys().stream().map(k -> k.getKeyID() == null ? "(no kid)" : k.getKeyID()).sorted().toList();
    }

    @Override
    public String toString() {
        return fetcher.uri().toString();
    }
}
