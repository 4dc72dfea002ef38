package dev.poplar.pop3.server.internal.command;

/** {@code RSET} (RFC 1939 section 5): unmarks every deleted message. */
final class RsetCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        MaildropView drop = session.maildrop();
        drop.reset();
        return Replies.maildrop(drop.liveCount(), drop.liveOctets());
    }
}
