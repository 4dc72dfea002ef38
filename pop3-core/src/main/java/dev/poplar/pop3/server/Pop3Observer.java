package dev.poplar.pop3.server;

/**
 * Receives the {@link Pop3Event}s of a server: for audit logs, metrics and tests.
 *
 * <p><b>Threading.</b> Called on the server's threads, possibly concurrently for different sessions, in order for one
 * session. Must be thread-safe and quick; it must not block. An exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface Pop3Observer {

    /**
     * Called for each event.
     *
     * @param event what happened
     */
    void onEvent(Pop3Event event);
}
