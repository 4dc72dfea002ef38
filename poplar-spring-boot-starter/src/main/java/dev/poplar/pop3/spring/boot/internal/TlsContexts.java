package dev.poplar.pop3.spring.boot.internal;

import dev.poplar.pop3.spring.boot.PoplarProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.ClassUtils;

import javax.net.ssl.SSLContext;
import java.util.function.Supplier;

/**
 * The server's TLS contexts as the {@code poplar.tls.*} properties say: from PEM files through pop3-tls (an optional
 * dependency, used only here and in {@link PemFiles}), or from a Spring Boot SSL bundle. Either follows changes: the
 * files are watched, the bundle's updates are taken. Closed with the application context. Thread-safe.
 */
public final class TlsContexts implements Supplier<SSLContext>, AutoCloseable {

    private static final String POP3_TLS_CLASS = "dev.poplar.pop3.tls.ServerTls";

    private volatile Supplier<SSLContext> current;
    private final AutoCloseable closer;

    TlsContexts(Supplier<SSLContext> current, AutoCloseable closer) {
        this.current = current;
        this.closer = closer;
    }

    /**
     * Contexts as configured.
     *
     * @param tls the properties; {@link PoplarProperties.Tls#configured()} must be true
     * @param bundles the application's SSL bundles, or null if it has none
     * @param classLoader the application's class loader, where pop3-tls is looked for
     * @return the contexts
     * @throws IllegalStateException naming the property, if the configuration is incomplete, contradictory or its
     *     files cannot be read, or pop3-tls is missing for PEM files
     */
    public static TlsContexts of(PoplarProperties.Tls tls, SslBundles bundles, ClassLoader classLoader) {
        if (tls.bundle() != null) {
            require(tls.certificate() == null && tls.privateKey() == null,
                    "poplar.tls.bundle and poplar.tls.certificate/private-key are both set: choose one");
            require(tls.trustedClientCas() == null,
                    "poplar.tls.trusted-client-cas applies to PEM files; a bundle brings its own trust store");
            require(tls.provider() == null,
                    "poplar.tls.provider applies to PEM files; a bundle brings its own SSL context");
            require(bundles != null, "poplar.tls.bundle needs Spring Boot's SSL bundles (spring.ssl.bundle.*)");
            return fromBundle(bundles, tls.bundle());
        }
        require(tls.certificate() != null, "poplar.tls.private-key is set but poplar.tls.certificate is not");
        require(tls.privateKey() != null, "poplar.tls.certificate is set but poplar.tls.private-key is not");
        require(ClassUtils.isPresent(POP3_TLS_CLASS, classLoader), "poplar.tls.certificate needs dev.poplar:pop3-tls "
                + "on the class path, which reads and reloads PEM files: add the dependency dev.poplar:pop3-tls, or use an SSL bundle "
                + "(poplar.tls.bundle)");
        return PemFiles.open(tls);
    }

    private static TlsContexts fromBundle(SslBundles bundles, String name) {
        TlsContexts contexts = new TlsContexts(null, () -> { });
        SslBundle bundle = bundles.getBundle(name);
        SSLContext first = bundle.createSslContext();
        contexts.current = () -> first;
        bundles.addBundleUpdateHandler(name, updated -> {
            SSLContext renewed = updated.createSslContext();
            contexts.current = () -> renewed;
        });
        return contexts;
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    /**
     * The current server context; fast, called for each new TLS connection.
     *
     * @return the context
     */
    @Override
    public SSLContext get() {
        return current.get();
    }

    /** Stops watching the files, if any. */
    @Override
    public void close() {
        try {
            closer.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close the TLS contexts", e);
        }
    }
}
