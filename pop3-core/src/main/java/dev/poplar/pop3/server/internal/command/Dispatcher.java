package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one command line: finds the verb, checks the state, runs the command, once for every command. Maps store
 * failures to response codes in one place. The reply texts never carry exception text.
 */
public final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Map<Verb, Command> commands = new EnumMap<>(Verb.class);

    /** Creates the dispatcher of the commands of {@link Verb}. */
    public Dispatcher() {
        commands.put(Verb.USER, new UserCommand());
        commands.put(Verb.PASS, new PassCommand());
        commands.put(Verb.APOP, new ApopCommand());
        commands.put(Verb.AUTH, new AuthCommand());
        commands.put(Verb.STLS, new StlsCommand());
        commands.put(Verb.CAPA, new CapaCommand());
        commands.put(Verb.QUIT, new QuitCommand());
        commands.put(Verb.STAT, new StatCommand());
        commands.put(Verb.LIST, new ListCommand());
        commands.put(Verb.UIDL, new UidlCommand());
        commands.put(Verb.RETR, new RetrCommand());
        commands.put(Verb.TOP, new TopCommand());
        commands.put(Verb.DELE, new DeleCommand());
        commands.put(Verb.NOOP, new NoopCommand());
        commands.put(Verb.RSET, new RsetCommand());
    }

    /**
     * What a command line led to.
     *
     * @param reply the reply to send, or {@link Replies#LATER}
     * @param bad whether the line counts as a bad command (unknown, wrong state, malformed)
     * @param logged the line with secrets replaced by {@code ***}, for logs and events (not yet escaped)
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
        Optional<Verb> verb = Verb.of(keyword);
        String logged = redact(verb.orElse(null), keyword, argument, line);
        if (verb.isEmpty()) {
            return new Outcome(Replies.UNKNOWN_COMMAND, true, logged);
        }
        if (!validIn(verb.get(), session.state())) {
            return new Outcome(Replies.WRONG_STATE, true, logged);
        }
        Reply reply;
        try {
            reply = commands.get(verb.get()).execute(session, argument);
        } catch (RuntimeException e) {
            LOG.error("command {} failed unexpectedly", verb.get(), e);
            reply = Replies.INTERNAL_ERROR;
        }
        return new Outcome(reply, Replies.isMalformed(reply), logged);
    }

    /**
     * Handles a line sent while a SASL exchange waits for a response (RFC 5034 section 4).
     *
     * @param session the session
     * @param exchange the exchange in progress
     * @param mechanism its name
     * @param line the response line
     * @return the outcome; an aborted exchange ({@code *}) counts as a bad command
     */
    public Outcome continueSasl(SessionContext session, SaslExchange exchange, String mechanism, String line) {
        Reply reply = AuthCommand.respond(session, exchange, mechanism, line);
        boolean aborted = line.equals("*");
        return new Outcome(reply, aborted || reply == Replies.BAD_BASE64, aborted ? "*" : "***");
    }

    /**
     * What {@code CAPA} lists for a session now (for a test server's hook, which may list something else).
     *
     * @param session the session
     * @return the capability lines
     */
    public static List<String> capabilities(SessionContext session) {
        return CapaCommand.lines(session);
    }

    private static boolean validIn(Verb verb, State state) {
        return switch (state) {
            case AUTHORIZATION -> verb.validBeforeLogin();
            case TRANSACTION -> verb.validAfterLogin();
            case UPDATE -> false;
        };
    }

    /**
     * Maps a store failure (or a message the content hook refused) to its reply, logging it.
     *
     * @param e the failure
     * @return the reply
     */
    public static Reply storeFailure(Exception e) {
        if (e instanceof RefusedContent refused) {
            return refused.reply();
        }
        if (!(e instanceof StoreException se)) {
            LOG.error("store failed unexpectedly", e);
            return Replies.STORE_TEMPORARY;
        }
        switch (se.kind()) {
            case IN_USE:
                LOG.info("mailbox in use: {}", se.getMessage());
                return Replies.MAILBOX_IN_USE;
            case GONE:
                LOG.info("message gone: {}", se.getMessage());
                return Replies.MESSAGE_GONE;
            case PERMANENT:
                LOG.error("store failed permanently", se);
                return Replies.STORE_PERMANENT;
            default:
                LOG.warn("store failed temporarily", se);
                return Replies.STORE_TEMPORARY;
        }
    }

    /**
     * A command line as logs and events may see it: secrets replaced by {@code ***}.
     *
     * @param line the command line
     * @return the redacted line
     */
    public static String redact(String line) {
        int space = line.indexOf(' ');
        String keyword = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1);
        return redact(Verb.of(keyword).orElse(null), keyword, argument, line);
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
