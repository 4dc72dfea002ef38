package dev.poplar.pop3.tls;

/** Which JSSE implementation runs the TLS protocol of a context. */
public enum TlsProvider {
    /** The JDK's own implementation (SunJSSE). Always present; uses the JDK's default key exchange groups. */
    JDK,
    /**
     * The Bouncy Castle JSSE implementation, used as a private provider instance (never installed globally). It lets
     * each context choose its key exchange groups, including the post-quantum hybrid {@code X25519MLKEM768}.
     */
    BOUNCY_CASTLE,
    /**
     * OpenSSL's TLS (BoringSSL, through Netty's {@code netty-tcnative}) behind the standard {@code SSLEngine} API, for
     * server contexts. A full TLS 1.3 handshake costs the server 0.4 (ECDSA P-256) to 0.7 (RSA-2048) of the JDK's
     * CPU, so a server that accepts many new TLS connections serves 1.3 to 1.7 times as many per second (pop3-bench);
     * its certificates, reloads, policy and client certificates work as with the other providers. It needs {@code io.netty:netty-handler} and
     * {@code io.netty:netty-tcnative-boringssl-static} on the class path (module path: {@code io.netty.handler});
     * building a context without them fails with a message that names them. Client contexts
     * ({@link ClientTls}) do not offer it. It serves RSA and EC keys (an Ed25519 key is refused when it is loaded),
     * and keeps OpenSSL's default key exchange groups (X25519 first). Its contexts make engines, not sockets.
     */
    OPENSSL,
    /**
     * {@link #OPENSSL} where it can serve, else {@link #JDK}, chosen once when a server context is built: the JDK when
     * Netty's OpenSSL binding is not on the class path or cannot load its native library on this platform, or when
     * the key is neither RSA nor EC (Ed25519). The choice is logged at INFO, and {@link ServerTls#provider()} tells
     * it. A later reload keeps the chosen provider (on OpenSSL, a reload to an Ed25519 key is refused and the old
     * certificate stays). For server contexts only, as {@link #OPENSSL}.
     */
    AUTO
}
