package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Time from login to a complete UIDL and LIST: after the greeting, the clock runs through USER, PASS, UIDL and
 * LIST, and both listings must hold one line per message.
 */
final class ListingLoad {

    private ListingLoad() {
    }

    /**
     * Runs the load once, plain.
     *
     * @param count the messages the mailbox holds
     * @return milliseconds from sending USER to the end of LIST
     * @throws IOException if a reply fails or a listing has the wrong number of lines
     */
    static double run(InetSocketAddress address, String user, int count) throws IOException {
        try (Pop3Client client = Pop3Client.connect(address, null)) {
            long start = System.nanoTime();
            client.login(user, Fixture.PASSWORD);
            Pop3Client.Body uidl = client.multiLine("UIDL");
            Pop3Client.Body list = client.multiLine("LIST");
            double millis = (System.nanoTime() - start) / 1e6;
            if (uidl.lines() != count || list.lines() != count) {
                throw new IOException(user + ": UIDL listed " + uidl.lines() + " and LIST " + list.lines()
                        + " messages; the mailbox holds " + count);
            }
            client.quit();
            return millis;
        }
    }
}
