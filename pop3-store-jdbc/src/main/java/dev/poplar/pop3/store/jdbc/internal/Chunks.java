package dev.poplar.pop3.store.jdbc.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a message's octets as rows of {@code message_chunk}: buffers at most one chunk of {@link #SIZE} octets and
 * inserts each full one through the statement it is given, on the delivering connection (inside its transaction).
 *
 * <p>A database failure is thrown as {@link DatabaseFailure}, and a message larger than allowed as {@link TooLarge}:
 * {@link IOException}s that the delivery tells apart from a failure to read the incoming message. Not thread-safe.
 */
public final class Chunks extends OutputStream {

    /** The largest chunk: 64 KiB, small enough to hold a few in memory, large enough to keep rows few. */
    public static final int SIZE = 64 * 1024;

    private final PreparedStatement insert;
    private final long messageId;
    private final long maxOctets;
    private final byte[] buffer = new byte[SIZE];
    private int filled;
    private int seq;
    private long octets;

    /**
     * Creates the writer.
     *
     * @param insert the prepared {@link Sql#insertChunk} statement
     * @param messageId the message the chunks belong to
     * @param maxOctets the most octets a message may have
     */
    public Chunks(PreparedStatement insert, long messageId, long maxOctets) {
        this.insert = insert;
        this.messageId = messageId;
        this.maxOctets = maxOctets;
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == SIZE) {
            flushChunk();
        }
        buffer[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (filled == SIZE) {
                flushChunk();
            }
            int n = Math.min(len, SIZE - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /**
     * Writes the last, possibly short, chunk. Call once, after the last octet.
     *
     * @return how many octets were stored in all
     * @throws DatabaseFailure if the database fails
     * @throws TooLarge if the message is larger than allowed
     */
    public long finish() throws IOException {
        if (filled > 0) {
            flushChunk();
        }
        return octets;
    }

    private void flushChunk() throws IOException {
        if (octets + filled > maxOctets) {
            throw new TooLarge(maxOctets);
        }
        try {
            insert.setLong(1, messageId);
            insert.setInt(2, seq);
            insert.setBytes(3, filled == SIZE ? buffer : Arrays.copyOf(buffer, filled));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseFailure(e);
        }
        seq++;
        octets += filled;
        filled = 0;
    }

    /** A database failure while chunks are written. */
    public static final class DatabaseFailure extends IOException {
        private static final long serialVersionUID = 1L;

        DatabaseFailure(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        /**
         * The database's exception.
         *
         * @return the cause
         */
        public SQLException sqlException() {
            return (SQLException) getCause();
        }
    }

    /** A message larger than the store takes. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long maxOctets) {
            super("the message is larger than " + maxOctets + " octets");
        }
    }
}
