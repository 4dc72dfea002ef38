/**
 * Micrometer meters for Poplar's POP3 server: {@link dev.poplar.pop3.micrometer.Pop3MeterBinder}, and
 * {@link dev.poplar.pop3.micrometer.PrometheusEndpoint} to serve a Prometheus scrape over HTTP.
 */
module dev.poplar.pop3.micrometer {
    requires transitive dev.poplar.pop3.server;
    requires transitive micrometer.core;
    requires static micrometer.registry.prometheus;
    requires jdk.httpserver;

    exports dev.poplar.pop3.micrometer;
}
