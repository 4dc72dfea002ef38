package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.store.StoreException;
import org.apache.mina.core.session.AbstractIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A connection's session thread (its I/O thread) and the ways work leaves and comes back to it: calls that may block
 * run on a worker, delays on the timer, and their continuations come back through {@link HandBack}. The session id is
 * in the logging context wherever the session's work runs.
 *
 * <p>Delays still waiting when the connection closes are cancelled (the timer removes cancelled tasks): a delayed
 * task holds the session, so each closed connection would otherwise stay in memory until its delays ran out (the
 * login deadline alone is a minute by default; under a steady 50 connections a second that was 3,000 sessions).
 */
final class SessionThread {

    /** The logging context key holding the session id while the connection's work runs. */
    static final String MDC_KEY = "pop3.session";

    private static final Logger LOG = LoggerFactory.getLogger(SessionThread.class);
    private static final Runnable NOTHING = () -> { };
    private static final Delayed[] NONE = new Delayed[0];

    private final String id;
    private final Executor worker;
    private final ScheduledExecutorService timer;
    private final HandBack handBack;
    /**
     * Delays scheduled and not yet run; the timer thread removes the ones it runs. A session has a few at most (none,
     * once logged in and idle): an array replaced on each change, guarded by this object.
     */
    private Delayed[] pending = NONE;
    private volatile boolean closed;

    /**
     * Creates the session thread of a connection.
     *
     * @param io the connection
     * @param id the session id
     * @param worker runs calls that may block
     * @param timer runs delays
     * @param afterTasks runs on the I/O thread after each batch of handed-back tasks (the connection's pump and
     *     flush)
     */
    SessionThread(AbstractIoSession io, String id, Executor worker, ScheduledExecutorService timer,
                  Runnable afterTasks) {
        this.id = id;
        this.worker = worker;
        this.timer = timer;
        this.handBack = new HandBack(io, tasks -> run(() -> {
            tasks.run();
            afterTasks.run();
        }));
    }

    /**
     * Runs an event on the I/O thread with the session id in the logging context.
     *
     * @param event the event
     */
    void run(Runnable event) {
        MDC.put(MDC_KEY, id);
        try {
            event.run();
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    /** The connection has closed: continuations become orphans, waiting delays are cancelled. I/O thread. */
    void close() {
        closed = true;
        handBack.close();
        Delayed[] waiting;
        synchronized (this) {
            waiting = pending;
            pending = NONE;
        }
        for (Delayed delayed : waiting) {
            delayed.cancel();
        }
    }

    /**
     * What a call to a store, an authenticator or a hook threw, as the failure its continuation gets. An
     * {@link Error} (a bug in it) becomes an unexpected failure of that call, answered like a {@code RuntimeException}
     * from it ({@code -ERR [SYS/TEMP]}, logged), so that it neither strands the session on a dead worker nor ends the
     * I/O thread and every connection on it.
     *
     * @param thrown what the call threw
     * @return the failure to report
     */
    static Exception failure(Throwable thrown) {
        return thrown instanceof Exception e ? e : new IllegalStateException("failed with " + thrown, thrown);
    }

    <T> void call(boolean mayBlock, Callable<T> call, BiConsumer<T, Exception> then, Consumer<T> orphan) {
        if (!mayBlock) {
            T result;
            try {
                result = call.call();
            } catch (Throwable e) {
                then.accept(null, failure(e));
                return;
            }
            then.accept(result, null);
            return;
        }
        try {
            worker.execute(() -> {
                T result = null;
                Exception failure = null;
                MDC.put(MDC_KEY, id);
                try {
                    result = call.call();
                } catch (Throwable e) {
                    failure = failure(e);
                } finally {
                    MDC.remove(MDC_KEY);
                }
                T value = result;
                Exception error = failure;
                handBack.post(() -> then.accept(value, error), () -> {
                    if (value != null) {
                        orphan.accept(value);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            then.accept(null, new StoreException(StoreException.Kind.TEMPORARY, "the server is stopping", e));
        }
    }

    /** @return cancels the delay (nothing if it was never scheduled) */
    Runnable later(Duration delay, Runnable task) {
        try {
            Delayed delayed = schedule(() -> handBack.post(task, () -> { }), delay);
            return delayed == null ? NOTHING : delayed::cancel;
        } catch (RejectedExecutionException e) {
            LOG.debug("server stopping: a delayed task of {} will not run", id);
            return NOTHING;
        }
    }

    void when(CompletionStage<?> stage, Duration timeout, Runnable task) {
        AtomicBoolean once = new AtomicBoolean();
        Runnable fire = () -> {
            if (once.compareAndSet(false, true)) {
                handBack.post(task, () -> { });
            }
        };
        Delayed timeoutTask;
        try {
            timeoutTask = schedule(fire, timeout);
        } catch (RejectedExecutionException e) {
            fire.run();
            return;
        }
        stage.whenComplete((value, failure) -> {
            fire.run();
            if (timeoutTask != null) {
                timeoutTask.cancel();
            }
        });
    }

    /**
     * Schedules a delay that {@link #close()} cancels; nothing once the connection has closed (a delayed task does
     * not run then).
     *
     * @return the delay, or {@code null} if the connection has closed
     * @throws RejectedExecutionException if the timer has stopped
     */
    private Delayed schedule(Runnable task, Duration delay) {
        if (closed) {
            return null;
        }
        Delayed delayed = new Delayed(task);
        track(delayed);
        try {
            delayed.future = timer.schedule(delayed, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            untrack(delayed);
            throw e;
        }
        return delayed;
    }

    private synchronized void track(Delayed delayed) {
        Delayed[] more = Arrays.copyOf(pending, pending.length + 1);
        more[pending.length] = delayed;
        pending = more;
    }

    private synchronized void untrack(Delayed delayed) {
        for (int i = 0; i < pending.length; i++) {
            if (pending[i] == delayed) {
                if (pending.length == 1) {
                    pending = NONE;
                } else {
                    Delayed[] fewer = new Delayed[pending.length - 1];
                    System.arraycopy(pending, 0, fewer, 0, i);
                    System.arraycopy(pending, i + 1, fewer, i, pending.length - i - 1);
                    pending = fewer;
                }
                return;
            }
        }
    }

    /** A task on the timer that forgets itself when it runs. */
    private final class Delayed implements Runnable {
        private final Runnable task;
        private volatile Future<?> future;

        Delayed(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            untrack(this);
            task.run();
        }

        void cancel() {
            untrack(this);
            Future<?> scheduled = future;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
