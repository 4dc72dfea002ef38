package dev.poplar.pop3.server.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reuses the heap buffers of streamed replies, so that RETR of many messages does not allocate (and zero) a new
 * chunk per write. Bounded: past {@code capacity} idle buffers, returned ones are left to the garbage collector.
 * Thread-safe: buffers are taken on workers and returned from write completions on I/O threads.
 */
public final class BufferPool {

    private final int bufferOctets;
    private final ArrayBlockingQueue<ByteBuffer> idle;

    /**
     * Creates a pool.
     *
     * @param bufferOctets the size of every buffer
     * @param capacity the most idle buffers kept
     */
    public BufferPool(int bufferOctets, int capacity) {
        this.bufferOctets = bufferOctets;
        this.idle = new ArrayBlockingQueue<>(capacity);
    }

    /** @return the size of the pooled buffers */
    public int bufferOctets() {
        return bufferOctets;
    }

    /**
     * A cleared buffer of {@link #bufferOctets()} octets.
     *
     * @return a buffer the caller owns until it gives it back
     */
    public ByteBuffer take() {
        ByteBuffer buffer = idle.poll();
        return buffer == null ? ByteBuffer.allocate(bufferOctets) : buffer.clear();
    }

    /**
     * Returns a buffer taken from this pool; the caller must not use it afterwards.
     *
     * @param buffer the buffer
     */
    public void give(ByteBuffer buffer) {
        if (buffer.capacity() == bufferOctets && !buffer.isReadOnly() && buffer.hasArray()) {
            idle.offer(buffer);
        }
    }
}
