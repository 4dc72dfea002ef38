package dev.poplar.pop3.server.internal.command;

/** {@code LIST [msg]} (RFC 1939 section 5): message sizes. */
final class ListCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        return ScanListing.reply(session, argument, "LIST [msg]", n -> Long.toString(session.maildrop().size(n)));
    }
}
