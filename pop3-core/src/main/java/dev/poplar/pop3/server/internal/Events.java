package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Observer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Hands events to the configured listeners; a failing listener is logged and does not disturb the session. */
public final class Events {

    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private final List<Pop3Observer> listeners;

    /**
     * Creates the fan-out.
     *
     * @param listeners the listeners
     */
    public Events(List<Pop3Observer> listeners) {
        this.listeners = listeners;
    }

    /**
     * Whether anyone listens; lets callers skip building events nobody reads.
     *
     * @return {@code true} if there is at least one listener
     */
    public boolean enabled() {
        return !listeners.isEmpty();
    }

    /**
     * Delivers an event to every listener.
     *
     * @param event the event
     */
    public void emit(Pop3Event event) {
        for (Pop3Observer listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("event listener {} failed on {}", listener, event.getClass().getSimpleName(), e);
            }
        }
    }
}
