package dev.poplar.pop3.server.internal.command;

/** {@code STAT} (RFC 1939 section 5): count and size of the messages not marked deleted. */
final class StatCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        MaildropView drop = session.maildrop();
        return Replies.ok(drop.liveCount() + " " + drop.liveOctets());
    }
}
