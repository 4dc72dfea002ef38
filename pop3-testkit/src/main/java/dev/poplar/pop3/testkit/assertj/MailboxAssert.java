package dev.poplar.pop3.testkit.assertj;

import dev.poplar.pop3.testkit.Mailbox;
import dev.poplar.pop3.testkit.StoredMessage;
import org.assertj.core.api.AbstractAssert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Assertions on a {@link Mailbox}: what it holds, what was retrieved and deleted. Failure messages show the mailbox
 * and the transcripts of the sessions that logged in to it. Not thread-safe (like all AssertJ assertions).
 */
public final class MailboxAssert extends AbstractAssert<MailboxAssert, Mailbox> {

    MailboxAssert(Mailbox actual) {
        super(actual, MailboxAssert.class);
    }

    /**
     * The mailbox holds no message.
     *
     * @return this
     */
    public MailboxAssert isEmpty() {
        isNotNull();
        if (!actual.isEmpty()) {
            fail("to be empty");
        }
        return this;
    }

    /**
     * The mailbox holds this many messages.
     *
     * @param count the expected count
     * @return this
     */
    public MailboxAssert hasMessageCount(int count) {
        isNotNull();
        if (actual.size() != count) {
            fail("to hold " + count + " message" + (count == 1 ? "" : "s"));
        }
        return this;
    }

    /**
     * The mailbox holds messages with these subjects (and possibly others).
     *
     * @param subjects the subjects
     * @return this
     */
    public MailboxAssert containsSubjects(String... subjects) {
        return isNotNull().includes(actual.messages(), subjects, "to hold messages with the subjects");
    }

    /**
     * The mailbox holds exactly messages with these subjects, in this order.
     *
     * @param subjects the subjects, oldest first
     * @return this
     */
    public MailboxAssert containsExactlySubjects(String... subjects) {
        isNotNull();
        if (!actual.subjects().equals(List.of(subjects))) {
            fail("to hold exactly messages with the subjects " + Arrays.toString(subjects));
        }
        return this;
    }

    /**
     * Messages with these subjects were retrieved in full by {@code RETR} (at least once each).
     *
     * @param subjects the subjects
     * @return this
     */
    public MailboxAssert hasRetrieved(String... subjects) {
        return isNotNull().includes(actual.retrieved(), subjects, "to have had retrieved");
    }

    /**
     * No message was retrieved in full.
     *
     * @return this
     */
    public MailboxAssert hasNothingRetrieved() {
        isNotNull();
        if (!actual.retrieved().isEmpty()) {
            fail("to have had nothing retrieved");
        }
        return this;
    }

    /**
     * Messages with these subjects were deleted by a session that ended with {@code QUIT}.
     *
     * @param subjects the subjects
     * @return this
     */
    public MailboxAssert hasDeleted(String... subjects) {
        return isNotNull().includes(actual.deleted(), subjects, "to have had deleted at QUIT");
    }

    /**
     * No message was deleted at {@code QUIT}: every {@code DELE}, if any, was abandoned or undone.
     *
     * @return this
     */
    public MailboxAssert hasNothingDeleted() {
        isNotNull();
        if (!actual.deleted().isEmpty()) {
            fail("to have had nothing deleted at QUIT");
        }
        return this;
    }

    /**
     * Messages with these subjects were marked with {@code DELE} in a session that ended without {@code QUIT}, so the
     * deletion did not happen.
     *
     * @param subjects the subjects
     * @return this
     */
    public MailboxAssert hasAbandonedDeletions(String... subjects) {
        return isNotNull().includes(actual.abandonedDeletions(), subjects,
                "to have had marked with DELE in a session that ended without QUIT");
    }

    private MailboxAssert includes(List<StoredMessage> messages, String[] subjects, String expectation) {
        List<String> missing = missing(subjects(messages), subjects);
        if (!missing.isEmpty()) {
            fail(expectation + " " + Arrays.toString(subjects) + " (missing: " + missing + ")");
        }
        return this;
    }

    private void fail(String expectation) {
        failWithMessage("%nExpecting mailbox %s %s, but it holds:%n  %s%nretrieved: %s%ndeleted at QUIT: %s%n"
                        + "deletions abandoned: %s%nsessions:%n%s",
                actual.name(), expectation, describe(actual.messages()), describe(actual.retrieved()),
                describe(actual.deleted()), describe(actual.abandonedDeletions()), actual.transcripts());
    }

    private static List<String> subjects(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::subject).toList();
    }

    private static List<String> missing(List<String> present, String... wanted) {
        List<String> left = new ArrayList<>(present);
        List<String> missing = new ArrayList<>();
        for (String subject : wanted) {
            if (!left.remove(subject)) {
                missing.add(subject);
            }
        }
        return missing;
    }

    private static String describe(List<StoredMessage> messages) {
        if (messages.isEmpty()) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        messages.forEach(m -> out.append(out.length() == 0 ? "" : "\n  ").append(m));
        return out.toString();
    }
}
