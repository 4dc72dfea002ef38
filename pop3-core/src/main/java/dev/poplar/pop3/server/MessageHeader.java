package dev.poplar.pop3.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The header of a message (RFC 5322 section 2.2), as a {@link ContentHook} sees it: its fields in order, with folded
 * values unfolded. The server reads at most {@link #LIMIT} octets ahead; a header longer than that is seen in part
 * ({@link #complete()} is {@code false}). Octets are decoded as UTF-8 (RFC 6532), malformed ones replaced. Immutable.
 */
public final class MessageHeader {

    /** The most octets of a message the server reads ahead for its header. */
    public static final int LIMIT = 64 * 1024;

    private final List<Field> fields;
    private final boolean complete;

    private MessageHeader(List<Field> fields, boolean complete) {
        this.fields = List.copyOf(fields);
        this.complete = complete;
    }

    /**
     * Parses the header at the start of message octets: the lines up to the first empty line. Lines that are neither
     * a field nor its continuation are skipped.
     *
     * @param octets the first octets of a message, LF or CRLF line ends; read from its position to its limit, which
     *     do not move
     * @param wholeMessage whether the octets are the whole message (then a header without a following empty line is
     *     complete too)
     * @return the header
     */
    public static MessageHeader parse(ByteBuffer octets, boolean wholeMessage) {
        ByteBuffer in = octets.duplicate();
        List<Field> fields = new ArrayList<>();
        StringBuilder name = null;
        StringBuilder value = null;
        while (in.hasRemaining()) {
            int start = in.position();
            int end = start;
            while (end < in.limit() && in.get(end) != '\n') {
                end++;
            }
            if (end == in.limit() && !wholeMessage) {
                // A line cut by the read-ahead limit: not seen.
                break;
            }
            in.position(Math.min(end + 1, in.limit()));
            int lineEnd = end > start && in.get(end - 1) == '\r' ? end - 1 : end;
            if (lineEnd == start) {
                add(fields, name, value);
                return new MessageHeader(fields, true);
            }
            String line = decode(in, start, lineEnd);
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && value != null) {
                value.append(line);
                continue;
            }
            add(fields, name, value);
            int colon = line.indexOf(':');
            if (colon > 0) {
                name = new StringBuilder(line.substring(0, colon).strip());
                value = new StringBuilder(line.substring(colon + 1));
            } else {
                name = null;
                value = null;
            }
        }
        add(fields, name, value);
        return new MessageHeader(fields, wholeMessage);
    }

    /**
     * Parses a header given as text.
     *
     * @param text the message or its header, LF or CRLF line ends
     * @return the header
     */
    public static MessageHeader parse(String text) {
        return parse(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true);
    }

    private static void add(List<Field> fields, StringBuilder name, StringBuilder value) {
        if (name != null && !name.isEmpty()) {
            fields.add(new Field(name.toString(), value.toString().strip()));
        }
    }

    private static String decode(ByteBuffer in, int from, int to) {
        ByteBuffer line = in.duplicate();
        line.limit(to).position(from);
        return StandardCharsets.UTF_8.decode(line).toString();
    }

    /** @return the fields in order */
    public List<Field> fields() {
        return fields;
    }

    /**
     * The value of the first field of a name.
     *
     * @param name the field name, in any case
     * @return its unfolded value without leading and trailing white space, or empty if there is no such field
     */
    public Optional<String> first(String name) {
        for (Field field : fields) {
            if (field.name.equalsIgnoreCase(name)) {
                return Optional.of(field.value);
            }
        }
        return Optional.empty();
    }

    /**
     * The values of all fields of a name, in order.
     *
     * @param name the field name, in any case
     * @return their values; empty if there is no such field
     */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (Field field : fields) {
            if (field.name.equalsIgnoreCase(name)) {
                values.add(field.value);
            }
        }
        return values;
    }

    /** @return whether the whole header was read; {@code false} if it is longer than {@link #LIMIT} */
    public boolean complete() {
        return complete;
    }

    @Override
    public String toString() {
        return "MessageHeader" + fields + (complete ? "" : " (incomplete)");
    }

    /**
     * One header field.
     *
     * @param name its name as written
     * @param value its unfolded value, without leading and trailing white space
     */
    public record Field(String name, String value) {
        /**
         * Validates the fields.
         *
         * @param name its name as written
         * @param value its unfolded value
         * @throws NullPointerException if any is null
         */
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }

    }
}
