package dev.poplar.pop3.spring.boot.internal;

import dev.poplar.pop3.micrometer.Pop3MeterBinder;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Metrics;
import dev.poplar.pop3.server.Pop3Observer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The server's events as {@code pop3-micrometer}'s meters ({@link Pop3MeterBinder}) in every registry Spring Boot binds
 * this to: a {@link MeterBinder} for Spring, and a {@link Pop3Observer} for the server, which forwards each event to
 * the binder of each registry. The gauge of open connections reads the current server, so that it follows a restart
 * of the application context. Thread-safe.
 */
public final class Pop3Meters implements MeterBinder, Pop3Observer {

    private final Supplier<Pop3Metrics> metrics;
    private final List<Pop3MeterBinder> binders = new CopyOnWriteArrayList<>();

    /**
     * @param metrics the counters of the current server
     */
    public Pop3Meters(Supplier<Pop3Metrics> metrics) {
        this.metrics = metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        binders.add(Pop3MeterBinder.create(registry));
        Gauge.builder("pop3.connections.open", metrics, m -> m.get().openSessions())
                .description("Connections open now").baseUnit("connections").register(registry);
    }

    @Override
    public void onEvent(Pop3Event event) {
        for (Pop3MeterBinder binder : binders) {
            binder.onEvent(event);
        }
    }
}
