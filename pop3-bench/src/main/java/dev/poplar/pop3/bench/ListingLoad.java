package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
     * @param limit how long the whole session may take before it is cut off
     * @return milliseconds from sending USER to the end of LIST
     * @throws LimitExceeded if the session took longer than {@code limit}
     * @throws IOException   if a reply fails or a listing has the wrong number of lines
     */
    static double run(InetSocketAddress address, String user, int count, Duration limit) throws IOException {
        CountDownLatch finished = new CountDownLatch(1);
        AtomicBoolean cutOff = new AtomicBoolean();
        try (Pop3Client client = Pop3Client.connect(address, null)) {
            Thread watchdog = new Thread(() -> {
                try {
                    if (!finished.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                        cutOff.set(true);
                        client.close();
                    }
                } catch (InterruptedException | IOException e) {
                    // nothing to cut off any more
                }
            }, "listing-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            long start = System.nanoTime();
            try {
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
            } catch (IOException e) {
                if (cutOff.get()) {
                    throw new LimitExceeded(limit);
                }
                throw e;
            } finally {
                finished.countDown();
            }
        }
    }

    /** The server did not finish within the time limit; a result, not a failure. */
    static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;
        private final Duration limit;

        LimitExceeded(Duration limit) {
            super("not complete within " + limit.toMillis() + " ms");
            this.limit = limit;
        }

        Duration limit() {
            return limit;
        }
    }
}
