package dev.poplar.pop3.store.maildir.internal;

import java.util.Comparator;
import java.util.OptionalLong;

/**
 * A Maildir file name taken apart: the base name (the immutable unique part, with optional {@code ,S=} and
 * {@code ,W=} fields) and the info (after {@code :}, {@code 2,} followed by flags in ASCII order).
 *
 * <p>See the Maildir specification (cr.yp.to/proto/maildir.html) and Dovecot's extensions of it: {@code ,S=<n>} is the
 * file size, {@code ,W=<n>} the size with CRLF line ends.
 *
 * @param fileName the whole name as it is in {@code cur/} or {@code new/}
 * @param base the part before the first {@code :}; never changes for the life of the message
 * @param info the part after the first {@code :}, or {@code null} if there is none
 */
public record MaildirName(String fileName, String base, String info) {

    /** The separator between base name and info, as Maildir defines it on Unix. */
    public static final char INFO_SEPARATOR = ':';

    /** Delivery order: the delivery time encoded in the base name, then the base name. */
    public static final Comparator<MaildirName> DELIVERY_ORDER = Comparator.comparing(MaildirName::deliveryKey);

    /**
     * Parses a file name.
     *
     * @param fileName a file name from {@code cur/} or {@code new/}
     * @return its parts
     */
    public static MaildirName parse(String fileName) {
        int colon = fileName.indexOf(INFO_SEPARATOR);
        return colon < 0
                ? new MaildirName(fileName, fileName, null)
                : new MaildirName(fileName, fileName.substring(0, colon), fileName.substring(colon + 1));
    }

    /**
     * The size with CRLF line ends from a {@code ,W=<n>} field of the base name.
     *
     * @return the size, or empty if the name has no valid {@code ,W=} field
     */
    public OptionalLong virtualSize() {
        return field('W');
    }

    /**
     * The size of the file from a {@code ,S=<n>} field of the base name.
     *
     * @return the size, or empty if the name has no valid {@code ,S=} field
     */
    public OptionalLong fileSize() {
        return field('S');
    }

    private OptionalLong field(char key) {
        int from = base.indexOf(',');
        while (from >= 0) {
            int end = base.indexOf(',', from + 1);
            String field = base.substring(from + 1, end < 0 ? base.length() : end);
            if (field.length() > 2 && field.charAt(0) == key && field.charAt(1) == '=') {
                long value = digits(field, 2, field.length());
                if (value >= 0) {
                    return OptionalLong.of(value);
                }
            }
            from = end;
        }
        return OptionalLong.empty();
    }

    /**
     * The flags of a {@code 2,} info, in the order they appear.
     *
     * @return the flags; empty if there is no info or it is not of the {@code 2,} kind
     */
    public String flags() {
        return info != null && info.startsWith("2,") ? info.substring(2) : "";
    }

    /**
     * Whether the message carries a flag.
     *
     * @param flag a flag letter such as {@code T} or {@code S}
     * @return {@code true} if the {@code 2,} info has it
     */
    public boolean hasFlag(char flag) {
        return flags().indexOf(flag) >= 0;
    }

    /**
     * The file name of this message with more flags, in a {@code 2,} info with the flags in ASCII order as the
     * specification requires. An info of another kind is replaced.
     *
     * @param added the flags to add
     * @return the new file name; equal to {@link #fileName()} if nothing was added and the info is already canonical
     */
    public String withFlags(String added) {
        String all = flags() + added;
        StringBuilder sorted = new StringBuilder(all.length());
        all.chars().filter(c -> c > 0x20 && c < 0x7F).sorted().distinct().forEach(c -> sorted.append((char) c));
        return base + INFO_SEPARATOR + "2," + sorted;
    }

    /**
     * The key of {@link #DELIVERY_ORDER}, computed once: worth keeping when sorting many names.
     *
     * @return the delivery second, microsecond and base name
     */
    public DeliveryKey deliveryKey() {
        return new DeliveryKey(deliverySeconds(), deliveryMicros(), base);
    }

    /**
     * Where a message falls in delivery order.
     *
     * @param seconds the delivery second
     * @param micros the microseconds within it
     * @param base the base name, last
     */
    public record DeliveryKey(long seconds, long micros, String base) implements Comparable<DeliveryKey> {
        @Override
        public int compareTo(DeliveryKey other) {
            int bySecond = Long.compare(seconds, other.seconds);
            if (bySecond != 0) {
                return bySecond;
            }
            int byMicro = Long.compare(micros, other.micros);
            return byMicro != 0 ? byMicro : base.compareTo(other.base);
        }
    }

    /**
     * The delivery second: the leading digits of the base name, as every common delivery agent writes them.
     *
     * @return seconds since the epoch, or {@link Long#MAX_VALUE} if the base name does not start with digits
     */
    public long deliverySeconds() {
        int dot = base.indexOf('.');
        long value = digits(base, 0, dot < 0 ? base.length() : dot);
        return value < 0 ? Long.MAX_VALUE : value;
    }

    /**
     * The microseconds of the delivery: the digits after {@code M} in the second dot-separated part of the base name
     * (Dovecot, Postfix and Courier write {@code M<microseconds>} there).
     *
     * @return the microseconds, or 0 if there are none
     */
    public long deliveryMicros() {
        int dot = base.indexOf('.');
        if (dot < 0) {
            return 0;
        }
        int end = base.indexOf('.', dot + 1);
        end = end < 0 ? base.length() : end;
        for (int i = dot + 1; i < end - 1; i++) {
            if (base.charAt(i) == 'M' && isDigit(base.charAt(i + 1))) {
                int stop = i + 1;
                while (stop < end && isDigit(base.charAt(stop))) {
                    stop++;
                }
                long value = digits(base, i + 1, stop);
                return Math.max(value, 0);
            }
        }
        return 0;
    }

    /** The decimal value of {@code s[from, to)}, or -1 if it is empty, not all digits or too long. */
    private static long digits(String s, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
