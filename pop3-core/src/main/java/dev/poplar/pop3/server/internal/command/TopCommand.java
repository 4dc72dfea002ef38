package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.store.MessageInfo;

/** {@code TOP msg n} (RFC 1939 section 7): the header and the first n body lines. */
final class TopCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        String[] words = Args.words(argument);
        if (words.length != 2) {
            return Replies.syntax("TOP msg n");
        }
        Reply error = Args.messageError(session, words[0]);
        if (error != null) {
            return error;
        }
        int lines = Args.number(words[1]);
        if (lines == Args.INVALID) {
            return Replies.syntax("TOP msg n");
        }
        int number = Args.number(words[0]);
        MessageInfo message = session.maildrop().live(number);
        return new Reply.Content("top of message follows", number, message, lines,
                session.contentOf(number, Verb.TOP));
    }
}
