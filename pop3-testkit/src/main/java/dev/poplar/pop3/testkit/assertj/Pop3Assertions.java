package dev.poplar.pop3.testkit.assertj;

import dev.poplar.pop3.testkit.Mailbox;
import dev.poplar.pop3.testkit.RecordedSession;
import org.assertj.core.api.Assertions;

/**
 * The entry point for assertions on a test server's mailboxes and sessions, and, inherited, for all of AssertJ: one
 * static import serves both.
 *
 * <pre>{@code
 * import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
 *
 * assertThat(server.mailbox("alice")).isEmpty();
 * assertThat(server.takeSession(Duration.ofSeconds(5))).issued("RETR 1", "DELE 1").quitCleanly();
 * assertThat(List.of(1, 2)).hasSize(2);            // plain AssertJ
 * }</pre>
 *
 * <p>Failure messages quote the transcripts of the sessions concerned.
 */
public class Pop3Assertions extends Assertions {

    /** For subclasses that add their own entry points. */
    protected Pop3Assertions() {
    }

    /**
     * Assertions on a mailbox snapshot.
     *
     * @param actual from {@code Pop3TestServer.mailbox(name)}
     * @return the assertions
     */
    public static MailboxAssert assertThat(Mailbox actual) {
        return new MailboxAssert(actual);
    }

    /**
     * Assertions on a recorded session.
     *
     * @param actual from {@code Pop3TestServer.takeSession(timeout)}
     * @return the assertions
     */
    public static SessionAssert assertThat(RecordedSession actual) {
        return new SessionAssert(actual);
    }
}
