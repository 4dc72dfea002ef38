package dev.poplar.pop3.server.internal.command;

/** {@code UIDL [msg]} (RFC 1939 section 7): unique ids. */
final class UidlCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        return ScanListing.reply(session, argument, "UIDL [msg]", n -> session.maildrop().live(n).uid());
    }
}
