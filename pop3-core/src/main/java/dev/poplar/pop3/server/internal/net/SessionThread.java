package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.store.StoreException;
import org.apache.mina.core.session.AbstractIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
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
 */
final class SessionThread {

    /** The logging context key holding the session id while the connection's work runs. */
    static final String MDC_KEY = "pop3.session";

    private static final Logger LOG = LoggerFactory.getLogger(SessionThread.class);

    private final String id;
    private final Executor worker;
    private final ScheduledExecutorService timer;
    private final HandBack handBack;

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

    /** The connection has closed: continuations become orphans. I/O thread. */
    void close() {
        handBack.close();
    }

    <T> void call(boolean mayBlock, Callable<T> call, BiConsumer<T, Exception> then, Consumer<T> orphan) {
        if (!mayBlock) {
            T result;
            try {
                result = call.call();
            } catch (Exception e) {
                then.accept(null, e);
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
                } catch (Exception e) {
                    failure = e;
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

    void later(Duration delay, Runnable task) {
        try {
            timer.schedule(() -> handBack.post(task, () -> { }), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("server stopping: a delayed task of {} will not run", id);
        }
    }

    void when(CompletionStage<?> stage, Duration timeout, Runnable task) {
        AtomicBoolean once = new AtomicBoolean();
        Runnable fire = () -> {
            if (once.compareAndSet(false, true)) {
                handBack.post(task, () -> { });
            }
        };
        stage.whenComplete((value, failure) -> fire.run());
        try {
            timer.schedule(fire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            fire.run();
        }
    }
}
