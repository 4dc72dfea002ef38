package dev.poplar.pop3.store.jdbc.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Reads a message's chunks in order, a few at a time: each batch is one short query on a connection borrowed for it
 * alone, so a slow client never keeps a database connection, and at most one batch ({@link #BATCH} chunks of at most
 * {@link Chunks#SIZE} octets) is held in memory.
 *
 * <p>A chunk missing before the stored length is reached (the message was removed while it was read) or octets beyond
 * it are an {@link IOException}. Not thread-safe: the server reads one content from one thread at a time.
 */
public final class ChunkChannel implements ReadableByteChannel {

    /** How many chunks one query fetches. */
    public static final int BATCH = 4;

    private final Database database;
    private final Sql sql;
    private final StoredMessage message;
    private final Deque<byte[]> batch;
    private ByteBuffer current = ByteBuffer.allocate(0);
    private int nextSeq;
    private long read;
    private boolean open = true;

    /**
     * Opens a channel on a message whose first batch was read already.
     *
     * @param database the database, for the next batches
     * @param sql the statements
     * @param message the message
     * @param firstBatch its first chunks, in order
     */
    public ChunkChannel(Database database, Sql sql, StoredMessage message, Deque<byte[]> firstBatch) {
        this.database = database;
        this.sql = sql;
        this.message = message;
        this.batch = firstBatch;
        this.nextSeq = firstBatch.size();
    }

    /**
     * Reads the existence and first chunks of a message in one query.
     *
     * @param connection a connection
     * @param sql the statements
     * @param message the message
     * @return its first chunks (empty for an empty message), or {@code null} if the message does not exist
     * @throws SQLException if the database fails
     * @throws IOException if the chunks are not numbered from 0 in order
     */
    public static Deque<byte[]> firstBatch(Connection connection, Sql sql, StoredMessage message)
            throws SQLException, IOException {
        try (PreparedStatement statement = connection.prepareStatement(sql.firstChunks)) {
            statement.setInt(1, BATCH);
            statement.setLong(2, message.id());
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                Deque<byte[]> chunks = new ArrayDeque<>(BATCH);
                do {
                    byte[] data = rows.getBytes(2);
                    if (data != null) {
                        expectSeq(message, rows.getInt(1), chunks.size());
                        chunks.add(data);
                    }
                } while (rows.next());
                return chunks;
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        while (!current.hasRemaining()) {
            if (read == message.octets()) {
                if (!batch.isEmpty()) {
                    throw new IOException("message " + message.id() + " has more chunks than its " + message.octets()
                            + " octets");
                }
                return -1;
            }
            if (batch.isEmpty()) {
                fetch();
            }
            current = ByteBuffer.wrap(batch.poll());
        }
        int n = Math.min(dst.remaining(), current.remaining());
        if (read + n > message.octets()) {
            throw new IOException("message " + message.id() + " has more than its " + message.octets() + " octets");
        }
        ByteBuffer slice = current.slice();
        slice.limit(n);
        dst.put(slice);
        current.position(current.position() + n);
        read += n;
        return n;
    }

    private void fetch() throws IOException {
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement(sql.nextChunks)) {
            statement.setLong(1, message.id());
            statement.setInt(2, nextSeq);
            statement.setInt(3, nextSeq + BATCH);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    expectSeq(message, rows.getInt(1), nextSeq);
                    batch.add(rows.getBytes(2));
                    nextSeq++;
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read chunk " + nextSeq + " of message " + message.id() + ": "
                    + e.getMessage(), e);
        }
        if (batch.isEmpty()) {
            throw new IOException("message " + message.id() + " ends after " + read + " of its " + message.octets()
                    + " octets: it was removed while it was read");
        }
    }

    private static void expectSeq(StoredMessage message, int seq, int expected) throws IOException {
        if (seq != expected) {
            throw new IOException("message " + message.id() + " lacks chunk " + expected + " (found " + seq + ")");
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        batch.clear();
        current = ByteBuffer.allocate(0);
    }
}
