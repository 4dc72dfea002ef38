package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MailboxStore;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How long the server keeps messages: it deletes a message a given time after a client first retrieved it (the
 * "leave a copy on the server for 14 days" of mail clients, enforced by the server), and optionally a given time after
 * it arrived, retrieved or not; whichever comes first. The server announces the policy with the {@code EXPIRE}
 * capability (RFC 2449 section 6.7, see {@link #expire()}).
 *
 * <p>The store provides the times ({@code Maildrop.arrived}, {@code Maildrop.firstRetrieved}) and says which it reports
 * ({@link MailboxStore#messageTimes()}); a server whose policy needs a time its store does not report is refused when
 * it is built ({@link #requiredTimes()}). A message whose time the store does not know (a file name without one, say)
 * never expires by that rule. Immutable and thread-safe.
 */
public final class Retention {

    private static final Retention FOREVER = new Retention(null, null);
    /** The largest value {@code EXPIRE} can carry (RFC 2449 allows up to five digits in practice). */
    private static final int MAX_EXPIRE_DAYS = 99_999;

    private final Duration afterRetrieval;
    private final Duration afterArrival;

    private Retention(Duration afterRetrieval, Duration afterArrival) {
        this.afterRetrieval = afterRetrieval;
        this.afterArrival = afterArrival;
    }

    /**
     * Messages are deleted this long after they were first retrieved ({@code RETR} in a session that ended with
     * {@code QUIT}). Zero deletes a retrieved message at the end of the session that retrieved it ({@code EXPIRE 0}).
     *
     * @param keep how long to keep a retrieved message, zero or more
     * @return the policy
     * @throws IllegalArgumentException if {@code keep} is negative
     * @throws NullPointerException if {@code keep} is null
     */
    public static Retention afterRetrieval(Duration keep) {
        return new Retention(notNegative(keep, "afterRetrieval"), null);
    }

    /**
     * Messages are deleted this long after they arrived, retrieved or not.
     *
     * @param keep how long to keep a message, more than zero
     * @return the policy
     * @throws IllegalArgumentException if {@code keep} is not positive
     * @throws NullPointerException if {@code keep} is null
     */
    public static Retention afterArrival(Duration keep) {
        return new Retention(null, positive(keep));
    }

    /**
     * The server never deletes messages on its own ({@code EXPIRE NEVER}).
     *
     * @return the policy
     */
    public static Retention keepForever() {
        return FOREVER;
    }

    /**
     * This policy, and also: messages are deleted this long after they arrived, retrieved or not (whichever rule
     * comes first).
     *
     * @param keep how long to keep any message, more than zero
     * @return the combined policy
     * @throws IllegalArgumentException if {@code keep} is not positive
     * @throws NullPointerException if {@code keep} is null
     */
    public Retention orAfterArrival(Duration keep) {
        return new Retention(afterRetrieval, positive(keep));
    }

    /** @return how long a message is kept after its first retrieval, if that rule applies */
    public Optional<Duration> afterRetrieval() {
        return Optional.ofNullable(afterRetrieval);
    }

    /** @return how long a message is kept after it arrived, if that rule applies */
    public Optional<Duration> afterArrival() {
        return Optional.ofNullable(afterArrival);
    }

    /**
     * The message times a store must report for the server to enforce this policy
     * ({@link MailboxStore#messageTimes()}): {@code FIRST_RETRIEVAL} for a rule after retrieval that keeps messages
     * for some time ({@code afterRetrieval(Duration.ZERO)} removes them at the end of the session that retrieved
     * them and needs no recorded time), {@code ARRIVAL} for a rule after arrival.
     *
     * @return the times needed, possibly none
     */
    public Set<MailboxStore.MessageTime> requiredTimes() {
        Set<MailboxStore.MessageTime> times = EnumSet.noneOf(MailboxStore.MessageTime.class);
        if (afterRetrieval != null && !afterRetrieval.isZero()) {
            times.add(MailboxStore.MessageTime.FIRST_RETRIEVAL);
        }
        if (afterArrival != null) {
            times.add(MailboxStore.MessageTime.ARRIVAL);
        }
        return Set.copyOf(times);
    }

    /**
     * Whether a message is due for deletion.
     *
     * @param arrived when it arrived, or {@code null} if unknown
     * @param firstRetrieved when it was first retrieved, or {@code null} if never or unknown
     * @param now the time now
     * @return {@code true} if a rule says it has been kept long enough
     */
    public boolean expired(Instant arrived, Instant firstRetrieved, Instant now) {
        return afterRetrieval != null && firstRetrieved != null && kept(firstRetrieved, afterRetrieval, now)
                || afterArrival != null && arrived != null && kept(arrived, afterArrival, now);
    }

    /** Whether {@code keep} has passed since {@code since}; a time past the last instant never comes. */
    private static boolean kept(Instant since, Duration keep, Instant now) {
        return keep.compareTo(Duration.between(since, now)) <= 0;
    }

    /**
     * The {@code EXPIRE} value that announces this policy: the shortest time, in whole days rounded down, that a
     * message may stay after the event that starts its rule; {@code NEVER} for {@link #keepForever()}.
     *
     * @return the value
     */
    public Expire expire() {
        if (afterRetrieval == null && afterArrival == null) {
            return Expire.never();
        }
        Duration shortest = afterRetrieval == null ? afterArrival
                : afterArrival == null ? afterRetrieval : min(afterRetrieval, afterArrival);
        return Expire.days((int) Math.min(shortest.toDays(), MAX_EXPIRE_DAYS));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Retention r && Objects.equals(r.afterRetrieval, afterRetrieval)
                && Objects.equals(r.afterArrival, afterArrival);
    }

    @Override
    public int hashCode() {
        return Objects.hash(afterRetrieval, afterArrival);
    }

    @Override
    public String toString() {
        if (afterRetrieval == null && afterArrival == null) {
            return "Retention[keep forever]";
        }
        StringBuilder s = new StringBuilder("Retention[");
        if (afterRetrieval != null) {
            s.append("delete ").append(afterRetrieval).append(" after first retrieval");
        }
        if (afterArrival != null) {
            s.append(afterRetrieval != null ? ", or " : "delete ").append(afterArrival).append(" after arrival");
        }
        return s.append(']').toString();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration notNegative(Duration keep, String name) {
        Objects.requireNonNull(keep, name);
        if (keep.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + keep);
        }
        return keep;
    }

    private static Duration positive(Duration keep) {
        notNegative(keep, "afterArrival");
        if (keep.isZero()) {
            throw new IllegalArgumentException("afterArrival must be more than zero: a message would be deleted "
                    + "before any client could retrieve it");
        }
        return keep;
    }
}
