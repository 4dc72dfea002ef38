package dev.poplar.pop3.testkit;

/**
 * How a {@link Pop3TestServer} offers TLS. Every mode but {@link #NONE} makes a certificate authority for the one
 * server instance (see {@link Pop3TestServer#clientSslContext()}); nothing is shared with other servers or with the
 * JVM's global TLS settings.
 *
 * <p>The certificates are made with {@code dev.poplar:pop3-tls} (Bouncy Castle), which the test kit does not bring
 * by itself, so that plain tests stay light: a TLS test adds it as a test-scoped dependency. Without it, choosing a
 * mode other than {@link #NONE} fails at once with a message naming the dependency.
 */
public enum TlsMode {
    /** One plain listener, no TLS. The default. */
    NONE,
    /** One plain listener offering {@code STLS} (RFC 2595); passwords may also be sent in clear over loopback. */
    STARTTLS,
    /** One plain listener offering {@code STLS}; passwords are refused until the client has sent {@code STLS}. */
    STARTTLS_REQUIRED,
    /** One implicit-TLS listener (pop3s, RFC 8314): every connection starts with the handshake. */
    IMPLICIT,
    /** Two listeners: a plain one offering {@code STLS} ({@link Pop3TestServer#port()}) and an implicit-TLS one
     * ({@link Pop3TestServer#pop3sPort()}). */
    STARTTLS_AND_IMPLICIT;

    boolean hasPlainListener() {
        return this != IMPLICIT;
    }

    boolean hasImplicitListener() {
        return this == IMPLICIT || this == STARTTLS_AND_IMPLICIT;
    }

    boolean offersStls() {
        return this == STARTTLS || this == STARTTLS_REQUIRED || this == STARTTLS_AND_IMPLICIT;
    }
}
