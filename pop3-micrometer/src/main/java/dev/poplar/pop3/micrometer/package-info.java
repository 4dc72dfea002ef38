/**
 * A {@code Pop3Server}'s work as Micrometer meters: {@link dev.poplar.pop3.micrometer.Pop3MeterBinder} records the
 * server's events and state; {@link dev.poplar.pop3.micrometer.PrometheusEndpoint} serves a Prometheus registry's
 * scrape on an HTTP port.
 */
package dev.poplar.pop3.micrometer;
