package dev.poplar.pop3.tls.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.BCSSLSocket;

/**
 * The protocol policy every context of this module carries: TLS 1.3 and 1.2 only, AEAD cipher suites with forward
 * secrecy only, the server's cipher suite order, and, with the Bouncy Castle provider, an explicit list of named
 * groups (optionally led by the post-quantum hybrids).
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsPolicy {

    /** The enabled protocol versions, most preferred first. TLS 1.0 and 1.1 are never enabled. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** The cipher suites, most preferred first: TLS 1.3 suites, then ECDHE with AEAD for TLS 1.2. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** The classic key exchange groups, used when the provider lets us choose them. */
    public static final List<String> CLASSIC_GROUPS = List.of("x25519", "secp256r1", "secp384r1");

    /** The post-quantum hybrid groups (ML-KEM combined with a classic curve), preferred when enabled. */
    public static final List<String> HYBRID_GROUPS = List.of("X25519MLKEM768", "SecP256r1MLKEM768");

    private final boolean server;
    private final String[] protocols;
    private final String[] cipherSuites;
    private final String[] namedGroups;
    private final boolean hostnameVerification;

    private TlsPolicy(boolean server, String[] supportedSuites, List<String> namedGroups,
            boolean hostnameVerification) {
        this.server = server;
        this.protocols = PROTOCOLS.toArray(String[]::new);
        Set<String> supported = new HashSet<>(Arrays.asList(supportedSuites));
        this.cipherSuites = CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
        this.namedGroups = namedGroups == null ? null : namedGroups.toArray(String[]::new);
        this.hostnameVerification = hostnameVerification;
    }

    /**
     * The policy for a server context.
     *
     * @param supportedSuites the cipher suites the provider supports
     * @param namedGroups the groups to set, or {@code null} to keep the provider's defaults
     * @return the policy
     */
    public static TlsPolicy server(String[] supportedSuites, List<String> namedGroups) {
        return new TlsPolicy(true, supportedSuites, namedGroups, false);
    }

    /**
     * The policy for a client context.
     *
     * @param supportedSuites the cipher suites the provider supports
     * @param namedGroups the groups to offer, or {@code null} to keep the provider's defaults
     * @param hostnameVerification whether to check the server's name against its certificate
     * @return the policy
     */
    public static TlsPolicy client(String[] supportedSuites, List<String> namedGroups,
            boolean hostnameVerification) {
        return new TlsPolicy(false, supportedSuites, namedGroups, hostnameVerification);
    }

    /**
     * The named groups for a provider that can set them.
     *
     * @param postQuantumHybrid whether the hybrids lead the list
     * @return the groups, most preferred first
     */
    public static List<String> namedGroups(boolean postQuantumHybrid) {
        if (!postQuantumHybrid) {
            return CLASSIC_GROUPS;
        }
        List<String> groups = new ArrayList<>(HYBRID_GROUPS);
        groups.addAll(CLASSIC_GROUPS);
        return List.copyOf(groups);
    }

    boolean server() {
        return server;
    }

    String[] cipherSuites() {
        return cipherSuites.clone();
    }

    /**
     * Parameters carrying this policy, starting from a provider's parameters.
     *
     * @param base the provider's parameters, left unchanged
     * @return new parameters
     */
    SSLParameters parameters(SSLParameters base) {
        SSLParameters p = new SSLParameters(cipherSuites.clone(), protocols.clone());
        p.setUseCipherSuitesOrder(true);
        p.setNeedClientAuth(base.getNeedClientAuth());
        if (base.getWantClientAuth()) {
            p.setWantClientAuth(true);
        }
        p.setServerNames(base.getServerNames());
        p.setSNIMatchers(base.getSNIMatchers());
        p.setAlgorithmConstraints(base.getAlgorithmConstraints());
        p.setApplicationProtocols(base.getApplicationProtocols());
        p.setEndpointIdentificationAlgorithm(
                !server && hostnameVerification ? "HTTPS" : base.getEndpointIdentificationAlgorithm());
        return p;
    }

    /**
     * Applies the policy to a new engine, in this context's role.
     *
     * @param engine a fresh engine, before its handshake
     * @return the same engine
     */
    public SSLEngine apply(SSLEngine engine) {
        engine.setUseClientMode(!server);
        engine.setSSLParameters(parameters(engine.getSSLParameters()));
        if (namedGroups != null && engine instanceof BCSSLEngine) {
            BCSSLEngine bc = (BCSSLEngine) engine;
            bc.setParameters(withGroups(bc.getParameters()));
        }
        return engine;
    }

    /**
     * Applies the policy to a new socket, in this context's role.
     *
     * @param socket a fresh socket, before its handshake
     * @return the same socket
     */
    public SSLSocket apply(SSLSocket socket) {
        socket.setUseClientMode(!server);
        socket.setSSLParameters(parameters(socket.getSSLParameters()));
        if (namedGroups != null && socket instanceof BCSSLSocket) {
            BCSSLSocket bc = (BCSSLSocket) socket;
            bc.setParameters(withGroups(bc.getParameters()));
        }
        return socket;
    }

    /**
     * Applies the protocol and cipher suite part of the policy to a server socket.
     *
     * @param socket a fresh server socket
     */
    void apply(SSLServerSocket socket) {
        socket.setUseClientMode(false);
        socket.setSSLParameters(parameters(socket.getSSLParameters()));
    }

    private BCSSLParameters withGroups(BCSSLParameters parameters) {
        parameters.setNamedGroups(namedGroups.clone());
        parameters.setUseNamedGroupsOrder(server);
        return parameters;
    }
}
