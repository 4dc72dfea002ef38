package dev.poplar.pop3.testkit.internal;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The test server's users: passwords that can be added while it runs; each user's mailbox has the user's name. */
public final class Users implements Authenticator {

    private final Map<String, String> passwords = new ConcurrentHashMap<>();

    /**
     * Adds a user or changes a password.
     *
     * @param user the user name
     * @param password the password
     */
    public void put(String user, String password) {
        passwords.put(user, password);
    }

    /**
     * Whether a user exists.
     *
     * @param user the user name
     * @return {@code true} if added
     */
    public boolean exists(String user) {
        return passwords.containsKey(user);
    }

    @Override
    public AuthResult authenticate(Credentials credentials, ClientInfo client) {
        String password = passwords.get(credentials.username());
        if (password == null) {
            return AuthResult.reject("no such user: " + credentials.username());
        }
        byte[] secret = password.getBytes(StandardCharsets.UTF_8);
        boolean ok;
        if (credentials instanceof Credentials.Password p) {
            ok = MessageDigest.isEqual(secret, p.password().getBytes(StandardCharsets.UTF_8));
        } else {
            ok = credentials instanceof Credentials.Apop a && a.matches(secret);
        }
        return ok ? AuthResult.accept(credentials.username()) : AuthResult.reject("wrong password");
    }

    @Override
    public boolean supports(Class<? extends Credentials> kind) {
        return kind == Credentials.Password.class || kind == Credentials.Apop.class;
    }
}
