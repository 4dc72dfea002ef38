package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.internal.Events;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.StoreException;

import java.time.Duration;

/**
 * Times one call to the store where it runs (a worker, or the session thread for a store that never blocks) and
 * reports it on the session thread once the result is back ({@code Pop3Event.StoreCallCompleted}). The fields are
 * written by the calling thread and read after the hand-back, which orders the two.
 */
final class StoreCall {

    private final MailboxStore.Operation operation;
    private long took = -1;
    private boolean failed;

    StoreCall(MailboxStore.Operation operation) {
        this.operation = operation;
    }

    /** A call to the store. */
    @FunctionalInterface
    interface Call<T> {
        T call() throws StoreException;
    }

    /**
     * Makes the call, timing it.
     *
     * @param call the call to the store
     * @param <T> its result
     * @return its result
     * @throws StoreException what it throws
     */
    <T> T run(Call<T> call) throws StoreException {
        long start = System.nanoTime();
        failed = true;
        try {
            T result = call.call();
            failed = false;
            return result;
        } finally {
            took = System.nanoTime() - start;
        }
    }

    /**
     * Reports the call, if it was made. Session thread.
     *
     * @param events the event fan-out
     * @param client the session's client
     */
    void report(Events events, ClientInfo client) {
        if (took >= 0 && events.enabled()) {
            events.emit(new Pop3Event.StoreCallCompleted(client, operation, Duration.ofNanos(took), failed));
        }
    }
}
