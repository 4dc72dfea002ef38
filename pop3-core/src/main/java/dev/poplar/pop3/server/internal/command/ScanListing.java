package dev.poplar.pop3.server.internal.command;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/**
 * The lines of {@code LIST} and {@code UIDL} without an argument: {@code number value} for every live message,
 * generated one at a time so that a large maildrop is never formatted whole.
 */
public final class ScanListing implements Iterator<String> {

    private final MaildropView drop;
    private final IntFunction<String> value;
    private int next;

    /**
     * The lines of {@code UIDL}.
     *
     * @param drop the maildrop
     * @return the lines
     */
    public static Iterator<String> uidl(MaildropView drop) {
        return new ScanListing(drop, n -> drop.live(n).uid());
    }

    /**
     * The lines of {@code LIST}.
     *
     * @param drop the maildrop
     * @return the lines
     */
    public static Iterator<String> list(MaildropView drop) {
        return new ScanListing(drop, n -> Long.toString(drop.size(n)));
    }

    private ScanListing(MaildropView drop, IntFunction<String> value) {
        this.drop = drop;
        this.value = value;
        this.next = advance(1);
    }

    @Override
    public boolean hasNext() {
        return next > 0;
    }

    @Override
    public String next() {
        if (next <= 0) {
            throw new NoSuchElementException();
        }
        int number = next;
        next = advance(number + 1);
        return number + " " + value.apply(number);
    }

    private int advance(int from) {
        for (int n = from; n <= drop.highest(); n++) {
            if (drop.live(n) != null) {
                return n;
            }
        }
        return 0;
    }

    /**
     * The reply to {@code LIST}/{@code UIDL} with or without a message number.
     *
     * @param session the session
     * @param argument the argument
     * @param usage the command's syntax, for errors
     * @param value what to print for a message, by number
     * @return the reply
     */
    static Reply reply(SessionContext session, String argument, String usage, IntFunction<String> value) {
        String[] words = Args.words(argument);
        MaildropView drop = session.maildrop();
        if (words.length == 0) {
            return new Reply.Lines(drop.liveCount() + " messages (" + drop.liveOctets() + " octets)",
                    new ScanListing(drop, value));
        }
        if (words.length > 1) {
            return Replies.syntax(usage);
        }
        Reply error = Args.messageError(session, words[0]);
        if (error != null) {
            return error;
        }
        int number = Args.number(words[0]);
        return Replies.ok(number + " " + value.apply(number));
    }
}
