package dev.poplar.pop3.tls.internal;

import dev.poplar.pop3.tls.CertificateExpiryWarning;
import dev.poplar.pop3.tls.KeyMaterial;
import dev.poplar.pop3.tls.TlsException;
import dev.poplar.pop3.tls.TlsObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key material a server serves, and the watch on its files. The material sits in a
 * {@link SwitchableKeyManager}, so a reload changes what new handshakes get without a new {@code SSLContext} and
 * without touching open connections.
 *
 * <p>Watching costs one daemon thread, which looks at the files' attributes (modification time, size, file key) once
 * per interval and never reads them unless those change. A change is loaded once the files have stayed the same for
 * one more interval, so that a renewal caught half-way (certificate replaced, key not yet) is not loaded. Broken new
 * files leave the current material in place; the problem is logged and reported once per change. Thread-safe.
 */
public final class ServedMaterial implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServedMaterial.class);

    private final MaterialSource source;
    private final Contexts contexts;
    private final SwitchableKeyManager keyManager;
    private final ExpiryMonitor expiry;
    private final TlsObserver listener;
    private final ScheduledExecutorService scheduler;
    private volatile KeyMaterial current;
    private List<Object> servedStamp;
    private List<Object> pendingStamp;
    /** The files' stamp whose load last failed: said once, then tried again quietly. */
    private List<Object> failedStamp;

    private ServedMaterial(MaterialSource source, Contexts contexts, KeyMaterial first, List<Object> stamp,
            int expiryDays, TlsObserver listener, Duration interval) throws TlsException {
        this.source = source;
        this.contexts = contexts;
        this.listener = listener;
        this.current = first;
        this.servedStamp = stamp;
        try {
            this.keyManager = contexts.keyManager(first.privateKey(), first.chain());
        } catch (GeneralSecurityException e) {
            throw unusable(first, e);
        }
        this.expiry = new ExpiryMonitor(expiryDays, this::expiring);
        if (interval.isZero() || source.files().isEmpty()) {
            this.scheduler = null;
        } else {
            this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "poplar-tls-reload");
                thread.setDaemon(true);
                return thread;
            });
            long millis = Math.max(1, interval.toMillis());
            scheduler.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Loads the material and, where the source has files and the interval is not zero, starts watching them.
     *
     * @param source where the material comes from
     * @param contexts the provider the material must suit
     * @param interval how often to look at the files; zero for never
     * @param expiryDays the expiry warning threshold in days
     * @param listener hears loads, failed reloads and expiry warnings
     * @return the served material
     * @throws TlsException if the material cannot be loaded
     */
    public static ServedMaterial start(MaterialSource source, Contexts contexts, Duration interval, int expiryDays,
            TlsObserver listener) throws TlsException {
        List<Object> stamp = stamp(source.files());
        KeyMaterial first = source.load();
        ServedMaterial served = new ServedMaterial(source, contexts, first, stamp, expiryDays, listener, interval);
        served.announce(first);
        return served;
    }

    /**
     * The material served to new connections.
     *
     * @return the current material
     */
    public KeyMaterial current() {
        return current;
    }

    /**
     * The key manager to put into contexts.
     *
     * @return the key manager, always serving the current material
     */
    public SwitchableKeyManager keyManager() {
        return keyManager;
    }

    /**
     * Whether a thread watches the files.
     *
     * @return {@code true} while watching
     */
    public boolean watching() {
        return scheduler != null && !scheduler.isShutdown();
    }

    /**
     * Loads the source again now, whether or not the files changed, and serves it.
     *
     * @throws TlsException if it cannot be loaded; the current material stays
     */
    public synchronized void reload() throws TlsException {
        List<Object> stamp = stamp(source.files());
        install(source.load());
        servedStamp = stamp;
        pendingStamp = null;
        failedStamp = null;
    }

    private synchronized void poll() {
        try {
            List<Object> stamp = stamp(source.files());
            if (stamp.equals(servedStamp)) {
                pendingStamp = null;
            } else if (!stamp.equals(pendingStamp)) {
                pendingStamp = stamp;
            } else {
                pendingStamp = null;
                try {
                    install(source.load());
                    servedStamp = stamp;
                    failedStamp = null;
                } catch (TlsException | RuntimeException e) {
                    // Tried again (every other check) until the files can be used or change: a certificate not valid
                    // yet, or files whose permissions are mended with chmod (which no stamp sees), are served then.
                    if (!stamp.equals(failedStamp)) {
                        failedStamp = stamp;
                        LOG.warn("Keeping the current TLS certificate {} (from {}): the changed files cannot be used"
                                + " (tried again at every other check): {}",
                                CertificateChecks.subject(current.certificate()), current.source(), e.toString());
                        if (e instanceof TlsException problem) {
                            notifyListener(() -> listener.reloadFailed(problem));
                        }
                    } else {
                        LOG.debug("The changed TLS files still cannot be used: {}", e.toString());
                    }
                }
            }
            expiry.check(current, false, Instant.now());
        } catch (RuntimeException e) {
            LOG.error("The TLS certificate check failed unexpectedly", e);
        }
    }

    private void install(KeyMaterial material) throws TlsException {
        try {
            contexts.checkServable(material.privateKey());
            keyManager.replace(contexts.adapt(material.privateKey()), contexts.adapt(material.chain()));
        } catch (GeneralSecurityException e) {
            throw unusable(material, e);
        }
        current = material;
        LOG.info("Serving the TLS certificate {} (expires {}) from {}",
                CertificateChecks.subject(material.certificate()), material.notAfter(), material.source());
        announce(material);
    }

    private void announce(KeyMaterial material) {
        notifyListener(() -> listener.certificateLoaded(material));
        expiry.check(material, true, Instant.now());
    }

    private void expiring(CertificateExpiryWarning warning) {
        notifyListener(() -> listener.certificateExpiring(warning));
    }

    private static void notifyListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("A TLS listener failed", e);
        }
    }

    private static TlsException unusable(KeyMaterial material, GeneralSecurityException e) {
        return new TlsException(null, "the key material from " + material.source()
                + " cannot be used by the TLS provider: " + e.getMessage(), e);
    }

    private static List<Object> stamp(List<Path> files) {
        List<Object> stamp = new ArrayList<>();
        for (Path file : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                stamp.add(List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size()));
            } catch (IOException e) {
                stamp.add(e.getClass().getName());
            }
        }
        return stamp;
    }

    /** Stops watching the files. The material stays served. Idempotent. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
