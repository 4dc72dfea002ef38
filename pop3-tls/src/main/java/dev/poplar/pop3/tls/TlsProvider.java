package dev.poplar.pop3.tls;

/** Which JSSE implementation runs the TLS protocol of a context. */
public enum TlsProvider {
    /** The JDK's own implementation (SunJSSE). Always present; uses the JDK's default key exchange groups. */
    JDK,
    /**
     * The Bouncy Castle JSSE implementation, used as a private provider instance (never installed globally). It lets
     * each context choose its key exchange groups, including the post-quantum hybrid {@code X25519MLKEM768}.
     */
    BOUNCY_CASTLE
}
