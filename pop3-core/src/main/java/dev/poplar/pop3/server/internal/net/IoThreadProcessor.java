package dev.poplar.pop3.server.internal.net;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * MINA's NIO processor, without waking its own selector, and with a loop that lasts as long as the processor.
 *
 * <p>MINA wakes a processor's selector whenever a session gets work (a write to flush, a session to remove), from
 * whichever thread: a write made by the I/O thread itself, which is most of them (every reply to a command), costs an
 * {@code eventfd} write, and the next {@code select} returns at once only to read it back. Here a wake-up asked for on
 * the processor's own thread is remembered instead, and the next {@code select} does not wait ({@code selectNow}): the
 * loop then handles the work in its next turn, as it would have after the wake-up, without the two system calls. A
 * wake-up from any other thread (a worker handing a result back, the acceptor adding a session) is MINA's.
 *
 * <p>MINA ends a processor's loop whenever its last session closes and starts it again on a pooled thread for the next
 * one: with one client connecting at a time, every connection paid a hand-off from the acceptor to a pool thread and
 * two thread renames. Here the loop goes on (a {@code select} with MINA's one-second timeout when there is nothing to
 * do) until the processor is disposed.
 *
 * <p>MINA reads a readable socket until a read returns nothing, so every command cost a second {@code read} that
 * failed with {@code EAGAIN}. A read that leaves room in the buffer has taken all the socket held; here the read that
 * MINA's loop makes right after it returns nothing without a system call. What arrives later is reported by the next
 * {@code select} (the selector is level-triggered), as it would have been after the {@code EAGAIN}.
 *
 * <p>Work that should not delay any reply (reading a message ahead, see {@code ReadAhead}) can be left for the loop's
 * idle moment: {@link #whenIdle(Runnable)} runs it after the turn's writes, before the next {@code select}.
 *
 * <p>Public only because MINA's processor pool instantiates it reflectively.
 */
public final class IoThreadProcessor extends NioProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(IoThreadProcessor.class);
    /** The session attribute naming the processor that serves the session (set when the session joins it). */
    private static final AttributeKey PROCESSOR = new AttributeKey(IoThreadProcessor.class, "processor");

    /** The thread running this processor's loop (one for its whole life: the loop ends only at disposal). */
    private volatile Thread ioThread;
    /** Whether the loop's thread asked for a wake-up since its last {@code select}. */
    private volatile boolean wakeupPending;
    /** The session whose last read was short: MINA's next read of it, straight after, finds nothing. Loop thread only. */
    private NioSession drained;
    /** Tasks to run before the next {@code select}. Loop thread only. */
    private final ArrayDeque<Runnable> idleTasks = new ArrayDeque<>();

    /**
     * Creates a processor; MINA's pool calls this.
     *
     * @param executor runs the processor's loop
     */
    public IoThreadProcessor(Executor executor) {
        super(executor);
    }

    /**
     * Creates a processor: the constructor MINA's pool looks for first, so that it finds one without failing a lookup
     * (and building a {@code NoSuchMethodException}) at every server start.
     *
     * @param executor runs the processor's loop
     */
    public IoThreadProcessor(ExecutorService executor) {
        super(executor);
    }

    /**
     * The processor that serves a session, if it is one of these.
     *
     * @param session the session
     * @return its processor, or {@code null}
     */
    static IoThreadProcessor of(IoSession session) {
        return session.getAttribute(PROCESSOR) instanceof IoThreadProcessor processor ? processor : null;
    }

    /**
     * Runs a task on this loop's thread once the current turn has written what it had to write, before the loop
     * waits for the network again. A task is never run if the processor is disposed first.
     *
     * @param task the task; it must not block
     * @return {@code false} (and the task will not run) unless called on this loop's thread
     */
    boolean whenIdle(Runnable task) {
        if (Thread.currentThread() != ioThread) {
            return false;
        }
        idleTasks.add(task);
        return true;
    }

    @Override
    protected void init(NioSession session) throws Exception {
        super.init(session);
        session.setAttribute(PROCESSOR, this);
    }

    @Override
    protected int select(long timeout) throws Exception {
        ioThread = Thread.currentThread();
        for (Runnable task; (task = idleTasks.poll()) != null; ) {
            try {
                task.run();
            } catch (Throwable e) {
                // Whatever a task throws (a store's Error included) must not end the loop of every session here.
                LOG.error("a task on the I/O thread failed", e);
            }
        }
        if (wakeupPending) {
            wakeupPending = false;
            selectorLock.readLock().lock();
            try {
                return selector.selectNow();
            } finally {
                selectorLock.readLock().unlock();
            }
        }
        return super.select(timeout);
    }

    @Override
    protected int read(NioSession session, IoBuffer buffer) throws Exception {
        if (drained == session) {
            drained = null;
            return 0;
        }
        int read = super.read(session, buffer);
        drained = read > 0 && buffer.hasRemaining() ? session : null;
        return read;
    }

    @Override
    protected void wakeup() {
        if (Thread.currentThread() == ioThread) {
            // MINA's spinning-selector check counts a select that returns nothing as spurious unless this is set.
            wakeupCalled.set(true);
            wakeupPending = true;
            return;
        }
        super.wakeup();
    }

    @Override
    protected int allSessionsCount() {
        // The loop ends when this is 0; only disposal may end it.
        int sessions = super.allSessionsCount();
        return sessions == 0 && !isDisposing() ? 1 : sessions;
    }
}
