package dev.poplar.pop3.server;

/**
 * Whether TLS clients are asked for a certificate. A verified chain is visible to the
 * {@link dev.poplar.pop3.auth.Authenticator} as {@link dev.poplar.pop3.auth.ClientInfo#peerCertificates()}. Which
 * certificates count as verified is up to the trust material of the server's {@code SSLContext}.
 */
public enum ClientAuth {
    /** No client certificate is requested. The default. */
    NONE,
    /** A certificate is requested; a client without one still connects. */
    WANT,
    /** A certificate is required; the handshake fails without a valid one. */
    NEED
}
