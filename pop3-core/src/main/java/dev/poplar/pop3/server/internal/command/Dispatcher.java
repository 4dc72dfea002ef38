package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command line: finds the verb, checks the state, runs the command and maps store failures to response
 * codes, once for every command. The reply texts never carry exception text.
 */
public final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /**
     * What a command line led to.
     *
     * @param reply the reply to send
     * @param bad whether the line counts as a bad command (unknown, wrong state, malformed)
     * @param logged the line with secrets replaced by {@code ***}, for logs and events
     */
    public record Outcome(Reply reply, boolean bad, String logged) {
    }

    /**
     * Handles a command line.
     *
     * @param session the session
     * @param line the line without its line end
     * @return the outcome
     */
    public Outcome dispatch(SessionContext session, String line) {
        int space = line.indexOf(' ');
        String keyword = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1);
        Verb verb = Verb.of(keyword);
        String logged = redact(verb, keyword, argument, line);
        if (verb == null) {
            return new Outcome(Replies.UNKNOWN_COMMAND, true, logged);
        }
        if (!verb.validIn(session.state())) {
            return new Outcome(Replies.WRONG_STATE, true, logged);
        }
        Reply reply = run(verb.command(), session, argument);
        return new Outcome(reply, Replies.isMalformed(reply), logged);
    }

    /**
     * Whether a command line may call the store or the authenticator, so that it must run on a worker thread.
     *
     * @param session the session
     * @param line the command line
     * @return {@code true} for logins, message content and the UPDATE state
     */
    public boolean mayBlock(SessionContext session, String line) {
        int space = line.indexOf(' ');
        Verb verb = Verb.of(space < 0 ? line : line.substring(0, space));
        if (verb == null || !verb.validIn(session.state())) {
            return false;
        }
        return switch (verb) {
            case PASS, APOP, AUTH, RETR, TOP -> true;
            case QUIT -> session.state() == State.TRANSACTION;
            default -> false;
        };
    }

    /**
     * Handles a line sent while a SASL exchange waits for a response (RFC 5034 section 4).
     *
     * @param session the session
     * @param exchange the exchange in progress
     * @param mechanism its name
     * @param line the response line
     * @return the outcome
     */
    public Outcome continueSasl(SessionContext session, SaslExchange exchange, String mechanism, String line) {
        Reply reply = AuthCommand.respond(session, exchange, mechanism, line);
        return new Outcome(reply, false, line.equals("*") ? "*" : "***");
    }

    private static Reply run(Command command, SessionContext session, String argument) {
        try {
            return command.execute(session, argument);
        } catch (StoreException e) {
            return storeFailure(e);
        } catch (RuntimeException e) {
            LOG.error("command failed unexpectedly", e);
            return Replies.INTERNAL_ERROR;
        }
    }

    /**
     * Maps a store failure to its reply, logging it.
     *
     * @param e the failure
     * @return the reply
     */
    public static Reply storeFailure(StoreException e) {
        switch (e.kind()) {
            case IN_USE:
                LOG.info("mailbox in use: {}", e.getMessage());
                return Replies.MAILBOX_IN_USE;
            case GONE:
                LOG.info("message gone: {}", e.getMessage());
                return Replies.MESSAGE_GONE;
            case PERMANENT:
                LOG.error("store failed permanently", e);
                return Replies.STORE_PERMANENT;
            default:
                LOG.warn("store failed temporarily", e);
                return Replies.STORE_TEMPORARY;
        }
    }

    /**
     * A command line as logs, events and interceptors may see it: secrets replaced by {@code ***}.
     *
     * @param line the command line
     * @return the redacted line
     */
    public static String redact(String line) {
        int space = line.indexOf(' ');
        String keyword = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1);
        return redact(Verb.of(keyword), keyword, argument, line);
    }

    private static String redact(Verb verb, String keyword, String argument, String line) {
        if (verb == Verb.PASS) {
            return keyword + " ***";
        }
        if (verb == Verb.APOP || verb == Verb.AUTH) {
            int space = argument.indexOf(' ');
            return space < 0 ? line : keyword + " " + argument.substring(0, space) + " ***";
        }
        return line;
    }
}
