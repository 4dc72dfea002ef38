package dev.poplar.pop3.server;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The retention policy a server announces with the {@code EXPIRE} capability (RFC 2449 section 6.7): how many days
 * the server keeps a message after a client has retrieved it, or that it never deletes messages on its own.
 */
public final class Expire {

    private static final int MAX_DAYS = 99_999;
    private static final Expire NEVER = new Expire(-1);

    private final int days;

    private Expire(int days) {
        this.days = days;
    }

    /**
     * The server never deletes messages on its own ({@code EXPIRE NEVER}).
     *
     * @return the policy
     */
    public static Expire never() {
        return NEVER;
    }

    /**
     * Messages may be deleted this many days after they were retrieved ({@code EXPIRE 0} means at once, so clients
     * should not leave mail on the server).
     *
     * @param days 0 to 99999
     * @return the policy
     * @throws IllegalArgumentException if out of range
     */
    public static Expire days(int days) {
        if (days < 0 || days > MAX_DAYS) {
            throw new IllegalArgumentException("expire days must be 0 to " + MAX_DAYS + ": " + days);
        }
        return new Expire(days);
    }

    /** @return the number of days, or empty for {@link #never()} */
    public OptionalInt days() {
        return days < 0 ? OptionalInt.empty() : OptionalInt.of(days);
    }

    /** @return the {@code CAPA} line, e.g. {@code EXPIRE 30} or {@code EXPIRE NEVER} */
    public String capability() {
        return "EXPIRE " + (days < 0 ? "NEVER" : Integer.toString(days));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Expire e && e.days == days;
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(days);
    }

    @Override
    public String toString() {
        return capability();
    }
}
