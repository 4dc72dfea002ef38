package dev.poplar.pop3.spring.boot;

import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Metrics;
import dev.poplar.pop3.server.Pop3Server;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the auto-configured {@link Pop3Server} with the application context: {@link #start()} when the context has
 * been refreshed (after every other bean is ready, in the last phase), {@link #stop()} first when it closes (the
 * server stops accepting and lets open sessions finish for {@code poplar.shutdown-grace-period}). A context that is
 * stopped and started again gets a new server with the same configuration.
 *
 * <p>Once started, the bound ports are in the environment, as Spring Boot does for its web server's
 * {@code local.server.port}: {@code local.poplar.port} (the plain listener) and {@code local.poplar.pop3s-port} (the
 * implicit-TLS listener), useful with port 0 in tests.
 *
 * <p>Thread-safe.
 */
public final class Pop3ServerLifecycle implements SmartLifecycle {

    /** The name of the property source holding the bound ports. */
    public static final String PORTS_PROPERTY_SOURCE = "poplar.ports";

    private static final Pop3Metrics NO_METRICS = new Pop3Metrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final Pop3Server.Builder builder;
    private final List<Listener> listeners;
    private final ConfigurableEnvironment environment;
    private Pop3Server next;
    private Pop3Server server;
    private boolean running;

    /**
     * @param builder the configured builder, validated by building the first server now
     * @param listeners the listeners of the {@code poplar.*} properties, whose ports are published
     * @param environment where the bound ports are published
     */
    Pop3ServerLifecycle(Pop3Server.Builder builder, List<Listener> listeners, ConfigurableEnvironment environment) {
        this.builder = builder;
        this.listeners = List.copyOf(listeners);
        this.environment = environment;
        this.next = builder.build();
    }

    /**
     * Starts the server: binds its listeners and publishes the ports.
     *
     * @throws UncheckedIOException if a listener cannot be bound (its address is named)
     */
    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        Pop3Server starting = next != null ? next : builder.build();
        next = null;
        try {
            starting.start();
        } catch (IOException e) {
            starting.close();
            throw new UncheckedIOException("the POP3 server cannot listen: " + e.getMessage(), e);
        }
        server = starting;
        running = true;
        publishPorts(starting);
    }

    private void publishPorts(Pop3Server started) {
        Map<String, Object> ports = new LinkedHashMap<>();
        for (Listener listener : listeners) {
            String key = listener.implicitTls() ? "local.poplar.pop3s-port" : "local.poplar.port";
            ports.put(key, started.localAddress(listener).getPort());
        }
        environment.getPropertySources().remove(PORTS_PROPERTY_SOURCE);
        environment.getPropertySources().addFirst(new MapPropertySource(PORTS_PROPERTY_SOURCE, ports));
    }

    /** Stops the server gracefully; blocks up to the grace period. */
    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        server.close();
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    /**
     * The running server, for its addresses and counters.
     *
     * @return the server
     * @throws IllegalStateException if it is not running
     */
    public synchronized Pop3Server server() {
        if (!running) {
            throw new IllegalStateException("the POP3 server is not running: the application context is not "
                    + "started, or was stopped");
        }
        return server;
    }

    /**
     * The counters of the current server (or of the last one, once stopped); zeros before the first start.
     *
     * @return a snapshot
     */
    public Pop3Metrics metrics() {
        Pop3Server current;
        synchronized (this) {
            current = server;
        }
        return current == null ? NO_METRICS : current.metrics();
    }
}
