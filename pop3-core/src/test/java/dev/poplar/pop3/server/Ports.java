package dev.poplar.pop3.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Checks that a server released its ports, safely under parallel tests. A connection attempt is no proof: another
 * test may bind the freed port meanwhile, and a client socket on loopback may connect to itself. Binding the address
 * is: it succeeds only if nothing listens there. Tests that check a release listen on a loopback address of their
 * own (Linux routes all of 127.0.0.0/8 to loopback), which no other test binds.
 */
final class Ports {

    private Ports() {
    }

    /** @return a random loopback address other than 127.0.0.1, for one test alone */
    static String privateLoopback() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "127." + random.nextInt(1, 255) + "." + random.nextInt(0, 256) + "." + random.nextInt(1, 255);
    }

    /**
     * Asserts that nothing listens on an address.
     *
     * @param address the address and port
     */
    static void assertNothingListensOn(InetSocketAddress address) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (IOException e) {
            throw new AssertionError(address + " is still bound", e);
        }
    }
}
