package dev.poplar.pop3.store.maildir.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only view of a file channel that ends at a fixed size: the size the file had when it was checked and opened.
 * Reading never goes past it, so a file that grows while it is read (or a device swapped in for it) cannot make a
 * reader run forever. Transfers go to the underlying channel, so zero-copy sending still works.
 *
 * <p>It keeps its own position and reads at it ({@code pread}): a sequential read is one system call, where the
 * underlying channel's own position costs an {@code lseek} per read (three per 50 KiB message).
 */
final class BoundedFileChannel extends FileChannel {

    private final FileChannel delegate;
    private final long limit;
    private long position;

    /**
     * Wraps a channel.
     *
     * @param delegate the opened file, positioned at 0
     * @param limit the number of octets to expose
     */
    BoundedFileChannel(FileChannel delegate, long limit) {
        this.delegate = delegate;
        this.limit = limit;
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        int n = read(dst, position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public synchronized long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer dst = dsts[i];
            if (!dst.hasRemaining()) {
                continue;
            }
            int n = read(dst);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dst.hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        long left = limit - position;
        if (left <= 0) {
            return -1;
        }
        if (dst.remaining() <= left) {
            return delegate.read(dst, position);
        }
        int oldLimit = dst.limit();
        dst.limit(dst.position() + (int) left);
        try {
            return delegate.read(dst, position);
        } finally {
            dst.limit(oldLimit);
        }
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new NonWritableChannelException();
    }

    @Override
    public int write(ByteBuffer src, long position) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public synchronized FileChannel position(long newPosition) throws IOException {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        ensureOpen();
        position = newPosition;
        return this;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public long size() throws IOException {
        return Math.min(limit, delegate.size());
    }

    @Override
    public FileChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public void force(boolean metaData) throws IOException {
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        if (position >= limit) {
            return 0;
        }
        return delegate.transferTo(position, Math.min(count, limit - position), target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
        throw new NonWritableChannelException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        if (mode != MapMode.READ_ONLY) {
            throw new NonWritableChannelException();
        }
        if (position < 0 || size < 0 || position + size > limit) {
            throw new IllegalArgumentException("the region " + position + "+" + size + " is outside 0.." + limit);
        }
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
