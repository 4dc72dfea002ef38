package dev.poplar.pop3.server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

import static org.assertj.core.api.Assertions.fail;

/** Addresses of this machine for tests that need a client that is not on loopback. */
final class NetworkAddresses {

    private NetworkAddresses() {
    }

    /**
     * A non-loopback IPv4 address of this machine: a connection to it from this machine comes from that address.
     *
     * @return the address
     */
    static String nonLoopback() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address.getHostAddress();
                }
            }
        }
        return fail("this test needs a network interface with a non-loopback IPv4 address");
    }
}
