package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.internal.sasl.SaslException;
import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code AUTH mechanism [initial-response]} (RFC 5034): runs a SASL exchange. Without arguments it lists the
 * mechanisms offered, as many clients expect. The exchange continues line by line through
 * {@link #respond(SessionContext, SaslExchange, String, String)}, and across a lookup it needs (SCRAM's keys) through
 * {@link SessionContext#lookup}.
 */
final class AuthCommand implements Command {

    @Override
    public Reply execute(SessionContext session, String argument) {
        String[] words = Args.words(argument);
        if (words.length == 0) {
            List<String> names = new ArrayList<>();
            session.mechanisms().forEach(m -> names.add(m.name()));
            return new Reply.Lines("", names.iterator());
        }
        if (words.length > 2) {
            return Replies.syntax("AUTH mechanism [initial-response]");
        }
        String name = words[0].toUpperCase(Locale.ROOT);
        SaslMechanism mechanism = null;
        for (SaslMechanism offered : session.mechanisms()) {
            if (offered.name().equals(name)) {
                mechanism = offered;
            }
        }
        if (mechanism == null) {
            return session.clearTextMechanism(name) && !session.plaintextAllowed()
                    ? Replies.PLAINTEXT_DISALLOWED : Replies.MECHANISM_UNSUPPORTED;
        }
        byte[] initial = null;
        if (words.length == 2) {
            // RFC 5034 section 4: "=" is a present but empty initial response.
            initial = words[1].equals("=") ? new byte[0] : decode(words[1]);
            if (initial == null) {
                return Replies.BAD_BASE64;
            }
        }
        SaslExchange exchange = mechanism.start(session.saslContext());
        byte[] first = initial;
        return step(session, exchange, mechanism.name(), () -> exchange.next(first));
    }

    /**
     * Handles a client response during an exchange: {@code *} aborts, anything else must be base64. After an error
     * response (RFC 7628 section 3.2.3) any answer, an abort too, ends the failed exchange.
     *
     * @param session the session
     * @param exchange the exchange in progress
     * @param mechanism its name
     * @param line the response line
     * @return the reply: a further challenge, or the outcome
     */
    static Reply respond(SessionContext session, SaslExchange exchange, String mechanism, String line) {
        session.saslInProgress(null, null);
        if (exchange == SaslExchange.Failed.INSTANCE) {
            return session.errorResponseAnswered();
        }
        if (line.equals("*")) {
            return Replies.AUTH_ABORTED;
        }
        byte[] response = decode(line);
        if (response == null) {
            return Replies.BAD_BASE64;
        }
        return step(session, exchange, mechanism, () -> exchange.next(response));
    }

    /** The next step of an exchange, as a computation that may fail. */
    @FunctionalInterface
    private interface NextStep {
        SaslExchange.Step get() throws SaslException;
    }

    private static Reply step(SessionContext session, SaslExchange exchange, String mechanism, NextStep next) {
        SaslExchange.Step step;
        try {
            step = next.get();
        } catch (SaslException e) {
            return session.loginFailed(e.username(), mechanism, e.getMessage());
        }
        if (step instanceof SaslExchange.Challenge challenge) {
            session.saslInProgress(exchange, mechanism);
            return new Reply.Challenge(Base64.getEncoder().encodeToString(challenge.challenge()));
        }
        if (step instanceof SaslExchange.Lookup<?> lookup) {
            return lookup(session, exchange, mechanism, lookup);
        }
        SaslExchange.Done done = (SaslExchange.Done) step;
        return session.login(done.credentials(), mechanism, done.errorResponse(), done.admitted());
    }

    private static <T> Reply lookup(SessionContext session, SaslExchange exchange, String mechanism,
                                    SaslExchange.Lookup<T> lookup) {
        return session.lookup(lookup.username(), mechanism, lookup.mayBlock(), lookup.call(),
                result -> step(session, exchange, mechanism, () -> lookup.then().resume(result)));
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
