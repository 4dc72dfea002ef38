package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

import java.nio.charset.StandardCharsets;

/**
 * SASL LOGIN (draft-murchison-sasl-login): the server asks for the user name, then the password, each a challenge of
 * its own ({@code Username:} and {@code Password:}, the strings one widely deployed client requires, section 2.2).
 * A client may send the user name as an initial response, as many do.
 */
public final class LoginMechanism {

    private static final byte[] USERNAME = "Username:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PASSWORD = "Password:".getBytes(StandardCharsets.US_ASCII);

    private LoginMechanism() {
    }

    /** @return the mechanism */
    public static SaslMechanism create() {
        return new SaslMechanism("LOGIN", true, Credentials.Password.class, connection -> exchange());
    }

    private static SaslExchange exchange() {
        return new SaslExchange() {
            private boolean asked;
            private String username;

            @Override
            public Step next(byte[] response) throws SaslException {
                if (response == null || !asked && response.length == 0) {
                    asked = true;
                    return new Challenge(USERNAME.clone());
                }
                asked = true;
                if (username == null) {
                    username = SaslText.utf8(response, "LOGIN");
                    if (username.isEmpty() || SaslText.hasControl(username)) {
                        throw new SaslException("LOGIN user name is empty or has control characters", "");
                    }
                    return new Challenge(PASSWORD.clone());
                }
                String password = SaslText.utf8(response, "LOGIN");
                if (password.isEmpty()) {
                    throw new SaslException("LOGIN password is empty", username);
                }
                return new Done(new Credentials.Password(username, password));
            }
        };
    }
}
