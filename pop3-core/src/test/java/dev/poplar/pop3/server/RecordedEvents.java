package dev.poplar.pop3.server;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** An observer that keeps a server's events for a test to take, in order, each with a timeout. */
public final class RecordedEvents implements Pop3Observer {

    private final BlockingQueue<Pop3Event> events = new LinkedBlockingQueue<>();

    @Override
    public void onEvent(Pop3Event event) {
        events.add(event);
    }

    /**
     * Takes events until one of a type comes, failing after 10 seconds without one.
     *
     * @param type the type
     * @param <T> the type
     * @return the event
     */
    public <T extends Pop3Event> T next(Class<T> type) throws InterruptedException {
        return next(type, e -> true);
    }

    /**
     * Takes events until one of a type that matches comes, failing after 10 seconds without one.
     *
     * @param type the type
     * @param matching what it must satisfy
     * @param <T> the type
     * @return the event
     */
    public <T extends Pop3Event> T next(Class<T> type, Predicate<? super T> matching) throws InterruptedException {
        while (true) {
            Pop3Event event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("an event of type %s", type.getSimpleName()).isNotNull();
            if (type.isInstance(event) && matching.test(type.cast(event))) {
                return type.cast(event);
            }
        }
    }
}
