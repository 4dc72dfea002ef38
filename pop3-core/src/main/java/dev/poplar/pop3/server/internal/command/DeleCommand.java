package dev.poplar.pop3.server.internal.command;

/** {@code DELE msg} (RFC 1939 section 5): marks a message deleted; it is removed only at {@code QUIT}. */
final class DeleCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        String[] words = Args.words(argument);
        if (words.length != 1) {
            return Replies.syntax("DELE msg");
        }
        int number = Args.number(words[0]);
        MaildropView drop = session.maildrop();
        if (number != Args.INVALID && drop.exists(number) && drop.live(number) == null) {
            return Replies.ALREADY_DELETED;
        }
        Reply error = Args.messageError(session, words[0]);
        if (error != null) {
            return error;
        }
        drop.delete(number);
        return Replies.ok("message " + number + " deleted");
    }
}
