package dev.poplar.pop3.tls.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import javax.net.ssl.SSLServerSocketFactory;

/**
 * Creates server sockets that accept plain connections and layer TLS over each one with the policy applied, so that
 * the policy (including named groups, which some providers cannot set on a server socket) holds for every accepted
 * socket whatever the provider.
 */
final class PolicyServerSocketFactory extends SSLServerSocketFactory {

    private final PolicySocketFactory layering;
    private final TlsPolicy policy;

    PolicyServerSocketFactory(PolicySocketFactory layering, TlsPolicy policy) {
        this.layering = layering;
        this.policy = policy;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return policy.cipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return layering.getSupportedCipherSuites();
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new PolicyServerSocket(layering, policy);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return createServerSocket(port, 50, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        PolicyServerSocket socket = new PolicyServerSocket(layering, policy);
        try {
            socket.bind(new InetSocketAddress(address, port), backlog);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }
}
