package dev.poplar.pop3.server.internal.net;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.DefaultWriteFuture;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.write.DefaultWriteRequest;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Hands work from other threads (workers, the timer) back to a connection's I/O thread, which alone touches the
 * connection and its session.
 *
 * <p>MINA has no "run on this session's I/O thread" call, but its processor accepts writes from any thread and
 * reports each one as sent on the I/O thread. So a hand-back queues the task here and puts an empty write straight
 * into the session's write queue (bypassing the filter chain, which only the I/O thread may run); when the I/O
 * thread reaches it, the write's completion runs the queued tasks. Each task runs exactly once: on the I/O thread
 * while the connection is open, or, once it has closed, its {@code orphan} part on whichever thread gets there
 * first, so that results holding resources (an open maildrop) are always released.
 */
final class HandBack {

    private final AbstractIoSession io;
    private final ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final Consumer<Runnable> onIoThread;
    private volatile boolean closed;

    /**
     * Creates the hand-back of one connection.
     *
     * @param io the connection
     * @param onIoThread runs a batch of handed-back tasks on the I/O thread (sets up logging context, pumps after)
     */
    HandBack(AbstractIoSession io, Consumer<Runnable> onIoThread) {
        this.io = io;
        this.onIoThread = onIoThread;
    }

    /**
     * Hands a task back. Any thread.
     *
     * @param task what to run on the I/O thread
     * @param orphan what to run instead if the connection has closed
     */
    void post(Runnable task, Runnable orphan) {
        tasks.add(new Task(task, orphan));
        if (closed) {
            drainOrphans();
            return;
        }
        io.increaseScheduledWriteMessages();
        WriteFuture future = new DefaultWriteFuture(io);
        future.addListener(f -> {
            if (closed) {
                drainOrphans();
            } else {
                onIoThread.accept(this::runAll);
            }
        });
        io.getProcessor().write(io, new DefaultWriteRequest(IoBuffer.allocate(0), future));
    }

    private void runAll() {
        for (Task task; !closed && (task = tasks.poll()) != null; ) {
            task.run.run();
        }
        if (closed) {
            drainOrphans();
        }
    }

    /** The connection has closed: tasks still queued, and any posted later, become orphans. I/O thread. */
    void close() {
        closed = true;
        drainOrphans();
    }

    private void drainOrphans() {
        for (Task task; (task = tasks.poll()) != null; ) {
            task.orphan.run();
        }
    }

    private record Task(Runnable run, Runnable orphan) {
    }
}
