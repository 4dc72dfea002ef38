package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

/** SASL PLAIN (RFC 4616): one message {@code [authzid] NUL authcid NUL passwd}, UTF-8. */
public final class PlainMechanism {

    private PlainMechanism() {
    }

    /** @return the mechanism */
    public static SaslMechanism create() {
        return new SaslMechanism("PLAIN", true, Credentials.Password.class, connection -> response -> {
            if (response == null) {
                // RFC 4616 section 2: the server sends an empty challenge when there was no initial response.
                return new SaslExchange.Challenge(new byte[0]);
            }
            return new SaslExchange.Done(parse(response));
        });
    }

    private static Credentials parse(byte[] message) throws SaslException {
        int first = SaslText.indexOf(message, (byte) 0, 0);
        int second = first < 0 ? -1 : SaslText.indexOf(message, (byte) 0, first + 1);
        if (second < 0 || SaslText.indexOf(message, (byte) 0, second + 1) >= 0) {
            throw new SaslException("PLAIN message must have exactly two NUL separators", "");
        }
        String authzid = SaslText.utf8(message, 0, first, "PLAIN");
        String authcid = SaslText.utf8(message, first + 1, second, "PLAIN");
        String password = SaslText.utf8(message, second + 1, message.length, "PLAIN");
        if (authcid.isEmpty() || password.isEmpty()) {
            throw new SaslException("PLAIN message has an empty user name or password", authcid);
        }
        return new Credentials.Password(authcid, password, authzid);
    }
}
