package dev.poplar.pop3.server.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs the tasks of one session one at a time, in submission order, on a shared pool: pipelined commands are answered
 * in order and the session's state is never touched by two threads at once. Sets the session id in the logging MDC
 * while a task runs.
 */
public final class SerialExecutor implements Executor {

    /** The MDC key holding the session id. */
    public static final String MDC_KEY = "pop3.session";

    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor pool;
    private final String sessionId;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>(4);
    private boolean running;

    /**
     * Creates a serial view of a pool.
     *
     * @param pool the shared worker pool
     * @param sessionId the session id for the MDC
     */
    public SerialExecutor(Executor pool, String sessionId) {
        this.pool = pool;
        this.sessionId = sessionId;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            pool.execute(this::runAll);
        } catch (RejectedExecutionException e) {
            // The server is shutting down: run here so that cleanup (locks, events) still happens.
            runAll();
        }
    }

    /**
     * Runs a task on the calling thread if the session has nothing queued or running, keeping the one-at-a-time
     * order; tasks submitted meanwhile go to the pool afterwards. Used on I/O threads for work that never calls the
     * store or the authenticator, to save two thread hand-offs per command.
     *
     * @param task the task
     * @return {@code false} if the session was busy and the task was not run (the caller submits it instead)
     */
    public boolean tryRunInline(Runnable task) {
        synchronized (tasks) {
            if (running) {
                return false;
            }
            running = true;
        }
        MDC.put(MDC_KEY, sessionId);
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.error("unexpected failure in session task", e);
        } finally {
            MDC.remove(MDC_KEY);
        }
        synchronized (tasks) {
            if (tasks.isEmpty()) {
                running = false;
                return true;
            }
        }
        try {
            pool.execute(this::runAll);
        } catch (RejectedExecutionException e) {
            runAll();
        }
        return true;
    }

    private void runAll() {
        MDC.put(MDC_KEY, sessionId);
        try {
            while (true) {
                Runnable task;
                synchronized (tasks) {
                    task = tasks.poll();
                    if (task == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("unexpected failure in session task", e);
                }
            }
        } finally {
            MDC.remove(MDC_KEY);
        }
    }
}
