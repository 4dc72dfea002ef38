package dev.poplar.pop3.micrometer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves a {@link PrometheusMeterRegistry}'s scrape over HTTP: {@code GET /metrics} answers with the Prometheus text
 * format, or OpenMetrics when the scraper asks for it ({@code Accept: application/openmetrics-text}); any other path
 * is 404 and any other method 405. Built on the JDK's HTTP server: one thread, no TLS, no authentication, so bind it
 * to an address only the monitoring system reaches (loopback, or an internal network).
 *
 * <p>Needs {@code io.micrometer:micrometer-registry-prometheus} on the class path (an optional dependency of this
 * module). Thread-safe; {@link #close()} stops it.
 */
public final class PrometheusEndpoint implements AutoCloseable {

    /** The path served. */
    public static final String PATH = "/metrics";

    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final HttpServer http;
    private final ExecutorService thread;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PrometheusEndpoint(HttpServer http, ExecutorService thread) {
        this.http = http;
        this.thread = thread;
    }

    /**
     * Starts serving.
     *
     * @param registry the registry to scrape
     * @param address where to listen; port 0 picks a free port (see {@link #address()})
     * @return the running endpoint
     * @throws IOException if the address cannot be bound (the message names it)
     */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, InetSocketAddress address)
            throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(address, "address");
        HttpServer http;
        try {
            http = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "poplar-metrics-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(thread);
        http.createContext("/", exchange -> {
            try (exchange) {
                answer(registry, exchange);
            }
        });
        http.start();
        return new PrometheusEndpoint(http, thread);
    }

    private static void answer(PrometheusMeterRegistry registry, HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(PATH)) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        List<String> accept = exchange.getRequestHeaders().getOrDefault("Accept", List.of());
        String contentType = accept.stream().anyMatch(a -> a.contains("application/openmetrics-text"))
                ? OPEN_METRICS : TEXT;
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        registry.scrape(body, contentType);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, body.size());
        try (OutputStream out = exchange.getResponseBody()) {
            body.writeTo(out);
        }
    }

    /**
     * The bound address.
     *
     * @return the address, with the actual port when port 0 was asked for
     */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** Stops serving; a scrape under way is cut. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            http.stop(0);
            thread.shutdownNow();
        }
    }
}
