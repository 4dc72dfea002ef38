package dev.poplar.pop3.tls.internal;

import dev.poplar.pop3.tls.CertificateExpiryWarning;
import dev.poplar.pop3.tls.KeyMaterial;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns (a WARN log line and an event) when the served certificate expires within a threshold: always when asked
 * to after a load, otherwise at most once a day. Thread-safe.
 */
public final class ExpiryMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiryMonitor.class);
    private static final Duration REPEAT = Duration.ofDays(1);

    private final Duration threshold;
    private final Consumer<CertificateExpiryWarning> events;
    private Instant lastWarning;

    /**
     * Creates a monitor.
     *
     * @param thresholdDays warn when the certificate expires within this many days
     * @param events receives each warning
     */
    public ExpiryMonitor(int thresholdDays, Consumer<CertificateExpiryWarning> events) {
        this.threshold = Duration.ofDays(thresholdDays);
        this.events = events;
    }

    /**
     * Checks the served material.
     *
     * @param material the material now served
     * @param afterLoad {@code true} right after a load (always warn if due), {@code false} for a periodic check
     * @param now the current time
     */
    public synchronized void check(KeyMaterial material, boolean afterLoad, Instant now) {
        Duration left = Duration.between(now, material.notAfter());
        if (left.compareTo(threshold) > 0) {
            lastWarning = null;
            return;
        }
        if (!afterLoad && lastWarning != null && Duration.between(lastWarning, now).compareTo(REPEAT) < 0) {
            return;
        }
        lastWarning = now;
        CertificateExpiryWarning warning = new CertificateExpiryWarning(
                CertificateChecks.subject(material.certificate()), material.notAfter(),
                Math.max(0, left.toDays()), material.source());
        LOG.warn("The TLS certificate {} from {} expires on {} ({} days left): renew it", warning.subject(),
                warning.source(), warning.notAfter(), warning.daysLeft());
        events.accept(warning);
    }
}
