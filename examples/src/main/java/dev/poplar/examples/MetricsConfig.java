package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigSection;
import dev.poplar.pop3.micrometer.Pop3MeterBinder;
import dev.poplar.pop3.micrometer.PrometheusEndpoint;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code metrics} section: the server's meters ({@code pop3-micrometer}'s {@link Pop3MeterBinder}) served for
 * Prometheus at {@code http://ADDRESS:PORT/metrics} ({@link PrometheusEndpoint}). The endpoint has no TLS and no
 * authentication: bind it to loopback or an internal network only.
 *
 * <pre>
 * metrics:
 *   address: 127.0.0.1     # default
 *   port: 9110             # 0 picks a free port
 *   tags: {server: mail1}  # added to every meter, to tell servers apart
 * </pre>
 */
final class MetricsConfig {

    /** The meters of a server, and the registry they are in. */
    record Meters(PrometheusMeterRegistry registry, Pop3MeterBinder binder) {
    }

    private final ConfigSection section;
    private final String address;
    private final int port;
    private final List<Tag> tags;

    private MetricsConfig(ConfigSection section, String address, int port, List<Tag> tags) {
        this.section = section;
        this.address = address;
        this.port = port;
        this.tags = List.copyOf(tags);
    }

    static MetricsConfig read(ConfigSection metrics) {
        String address = metrics.string("address").orElse("127.0.0.1");
        int port = metrics.integer("port", 0, 65535).orElse(0);
        if (!metrics.has("port")) {
            metrics.problem("port", "is missing: the HTTP port Prometheus scrapes, e.g. port: 9110");
        }
        if (new InetSocketAddress(address, 0).isUnresolved()) {
            metrics.problem("address", "unknown host: " + address);
        }
        List<Tag> tags = new ArrayList<>();
        for (Map.Entry<String, String> tag : metrics.pairs("tags").entrySet()) {
            tags.add(Tag.of(tag.getKey(), tag.getValue()));
        }
        return new MetricsConfig(metrics, address, port, tags);
    }

    /**
     * Where the metrics will be served, as configured (port 0 stays 0).
     *
     * @return the URL Prometheus scrapes
     */
    String url() {
        return "http://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port
                + PrometheusEndpoint.PATH;
    }

    /**
     * The meters, to add to the server as an observer before it is built.
     *
     * @return a new binder on a new Prometheus registry
     */
    Meters meters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        return new Meters(registry, Pop3MeterBinder.create(registry, tags));
    }

    /**
     * Starts serving the meters' registry.
     *
     * @param meters the meters made by {@link #meters()}
     * @return the running endpoint; close it to stop serving
     * @throws ConfigException at {@code metrics.port} if the address cannot be bound
     */
    PrometheusEndpoint serve(Meters meters) throws ConfigException {
        try {
            return PrometheusEndpoint.start(meters.registry(), new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw section.failure("port", e.getMessage());
        }
    }
}
