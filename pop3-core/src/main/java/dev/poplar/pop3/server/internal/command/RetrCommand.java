package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.Verb;

/** {@code RETR msg} (RFC 1939 section 5): the whole message, streamed. */
final class RetrCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        String[] words = Args.words(argument);
        if (words.length != 1) {
            return Replies.syntax("RETR msg");
        }
        Reply error = Args.messageError(session, words[0]);
        if (error != null) {
            return error;
        }
        int number = Args.number(words[0]);
        return Replies.retrieve(number, session.maildrop().live(number), session.maildrop().size(number),
                session.contentOf(number, Verb.RETR));
    }
}
