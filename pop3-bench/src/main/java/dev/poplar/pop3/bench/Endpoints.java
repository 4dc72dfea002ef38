package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Where a target listens: a plain and an implicit-TLS port on loopback.
 *
 * @param host    the loopback address
 * @param plain   the plain POP3 port
 * @param tls     the implicit-TLS (POP3S) port
 */
record Endpoints(String host, int plain, int tls) {

    /** Two ports that were free a moment ago, on 127.0.0.1. */
    static Endpoints free() throws IOException {
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new Endpoints("127.0.0.1", a.getLocalPort(), b.getLocalPort());
        }
    }

    InetSocketAddress plainAddress() {
        return new InetSocketAddress(host, plain);
    }

    InetSocketAddress tlsAddress() {
        return new InetSocketAddress(host, tls);
    }
}
