package dev.poplar.pop3.bench;

import java.util.List;
import java.util.Properties;

/**
 * The sizes of a benchmark fixture: how many mailboxes of which kind, with how many messages of which size.
 * Sizes are the octets POP3 sends (CRLF line ends), which is also what Dovecot's {@code ,W=} records.
 *
 * @param sessionUsers  mailboxes for the session load, one per concurrent client
 * @param sessionMessages messages in each of those
 * @param retrUsers     mailboxes for the RETR load, one per concurrent client
 * @param retrMessages  messages in each RETR mailbox
 * @param retrSize      size of each RETR message
 * @param listCounts    message counts of the mailboxes for the UIDL and LIST load
 * @param smallSize     size of each message in the session and listing mailboxes
 * @param idleUsers     empty mailboxes for the idle-session load
 */
record FixtureSpec(int sessionUsers, int sessionMessages, int retrUsers, int retrMessages, int retrSize,
                   List<Integer> listCounts, int smallSize, int idleUsers) {

    /** The sizes the issue asks for. */
    static FixtureSpec full() {
        return new FixtureSpec(64, 10, 8, 1_000, 50 * 1024, List.of(10_000, 100_000), 512, 10_000);
    }

    /** Tiny sizes for the smoke run. */
    static FixtureSpec smoke() {
        return new FixtureSpec(64, 10, 8, 20, 50 * 1024, List.of(100, 1_000), 512, 100);
    }

    /** One user with one small and one with one large message: what the start-up load serves. */
    static FixtureSpec startup() {
        return new FixtureSpec(1, 1, 1, 1, 50 * 1024, List.of(), 512, 0);
    }

    FixtureSpec {
        listCounts = List.copyOf(listCounts);
        if (sessionUsers < 1 || retrUsers < 1 || retrMessages < 1 || sessionMessages < 0 || idleUsers < 0) {
            throw new IllegalArgumentException("fixture counts must be positive: " + this);
        }
        if (retrSize < 512 || smallSize < 512) {
            throw new IllegalArgumentException("messages must be at least 512 octets: " + this);
        }
    }

    /** The spec as properties, to recognise a fixture that can be reused. */
    Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("format", "1");
        p.setProperty("sessionUsers", Integer.toString(sessionUsers));
        p.setProperty("sessionMessages", Integer.toString(sessionMessages));
        p.setProperty("retrUsers", Integer.toString(retrUsers));
        p.setProperty("retrMessages", Integer.toString(retrMessages));
        p.setProperty("retrSize", Integer.toString(retrSize));
        p.setProperty("listCounts", listCounts.toString());
        p.setProperty("smallSize", Integer.toString(smallSize));
        p.setProperty("idleUsers", Integer.toString(idleUsers));
        return p;
    }
}
