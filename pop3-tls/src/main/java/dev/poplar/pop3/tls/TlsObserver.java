package dev.poplar.pop3.tls;

/**
 * Hears what happens to the certificate a {@link ServerTls} serves. Every method has an empty default, so an
 * implementation overrides only what it needs.
 *
 * <p>Methods are called on the thread that loads the material: the one calling
 * {@link ServerTls.Builder#build()} or {@link ServerTls#reload()}, or the reload thread of the {@code ServerTls}.
 * They must not block for long; an exception thrown by a listener is logged and otherwise ignored.
 */
public interface TlsObserver {

    /**
     * A listener that ignores everything.
     *
     * @return the listener
     */
    static TlsObserver none() {
        return new TlsObserver() {
        };
    }

    /**
     * New key material is being served: at start, and after each successful reload.
     *
     * @param material the material now served to new connections
     */
    default void certificateLoaded(KeyMaterial material) {
    }

    /**
     * The served certificate expires within the warning threshold. Reported at load, at each reload, and then at
     * most once a day while the {@code ServerTls} watches its files.
     *
     * @param warning which certificate, and when it expires
     */
    default void certificateExpiring(CertificateExpiryWarning warning) {
    }

    /**
     * Changed files could not be loaded; the previous certificate is still served. Reported once for each change
     * of the files.
     *
     * @param problem what is wrong, naming the file
     */
    default void reloadFailed(TlsException problem) {
    }
}
