package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.internal.ServerConfig;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The OAuth 2.0 bearer-token mechanisms. A bearer token is a password while it lasts: both follow the plain-text
 * policy (RFC 7628 section 3 requires TLS). When the authenticator rejects a token, the server answers with a JSON
 * error as a challenge, and the client's next response, whatever it is, ends the exchange with {@code -ERR}.
 * <ul>
 *   <li>{@code OAUTHBEARER} (RFC 7628): a GS2 header naming the user ({@code n,a=user,}), then key/value pairs, each
 *       ended by {@code %x01}, with {@code auth=Bearer <token>}; the error of section 3.2.2 has the {@code status}
 *       {@code invalid_token} and the configured {@code scope} and {@code openid-configuration}.</li>
 *   <li>{@code XOAUTH2}, as Gmail and Outlook.com speak it: {@code user=<user>%x01auth=Bearer <token>%x01%x01}; the
 *       error is Gmail's, {@code {"status":"401","schemes":"bearer","scope":...}}.</li>
 * </ul>
 *
 * <p>The error JSON has a fixed shape: a few string members whose values are constants or the configured scope and
 * OpenID configuration URL. Core has no JSON library (it stays dependency-light), so those values are escaped here as
 * RFC 8259 section 7 requires: quote, backslash and control characters, and anything outside ASCII as
 * <code>&#92;uXXXX</code>, so that the result is plain ASCII JSON whatever the configuration holds.
 */
public final class BearerMechanisms {

    /** RFC 7628 section 3.1: {@code kvsep = %x01}. */
    static final char SEPARATOR = '\u0001';

    private BearerMechanisms() {
    }

    /**
     * {@code OAUTHBEARER}.
     *
     * @param details what the error response tells the client
     * @return the mechanism
     */
    public static SaslMechanism oauthBearer(ServerConfig.OAuthErrors details) {
        byte[] error = json("status", "invalid_token", "scope", details.scope(),
                "openid-configuration", details.openIdConfiguration());
        return mechanism("OAUTHBEARER", error, BearerMechanisms::oauthBearer);
    }

    /**
     * {@code XOAUTH2}.
     *
     * @param details what the error response tells the client (the scope)
     * @return the mechanism
     */
    public static SaslMechanism xoauth2(ServerConfig.OAuthErrors details) {
        byte[] error = json("status", "401", "schemes", "bearer", "scope", details.scope());
        return mechanism("XOAUTH2", error, BearerMechanisms::xoauth2);
    }

    /** How one mechanism reads its one message. */
    @FunctionalInterface
    private interface Parser {
        Credentials parse(String message) throws SaslException;
    }

    private static SaslMechanism mechanism(String name, byte[] error, Parser parser) {
        return new SaslMechanism(name, true, Credentials.Bearer.class, connection -> response -> {
            if (response == null) {
                return new SaslExchange.Challenge(new byte[0]);
            }
            return new SaslExchange.Done(parser.parse(SaslText.utf8(response, name)), error.clone(), false);
        });
    }

    private static Credentials oauthBearer(String message) throws SaslException {
        // client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep; gs2-header = cbind-flag "," [authzid] ","
        int first = message.indexOf(',');
        int second = first < 0 ? -1 : message.indexOf(',', first + 1);
        if (second < 0 || second + 1 >= message.length() || message.charAt(second + 1) != SEPARATOR) {
            throw new SaslException("OAUTHBEARER message has no GS2 header", "");
        }
        String flag = message.substring(0, first);
        if (!flag.equals("n") && !flag.equals("y")) {
            throw new SaslException("OAUTHBEARER does not bind to a channel: '" + flag + "'", "");
        }
        String authz = message.substring(first + 1, second);
        if (!authz.isEmpty() && !authz.startsWith("a=")) {
            throw new SaslException("OAUTHBEARER authorization identity is malformed", "");
        }
        String user = authz.isEmpty() ? "" : authz.substring(2).replace("=2C", ",").replace("=3D", "=");
        if (SaslText.hasControl(user)) {
            throw new SaslException("OAUTHBEARER user name has control characters", "");
        }
        Map<String, String> pairs = pairs(message.substring(second + 2), "OAUTHBEARER");
        return new Credentials.Bearer(user, token(pairs.get("auth"), user, "OAUTHBEARER"), "OAUTHBEARER");
    }

    private static Credentials xoauth2(String message) throws SaslException {
        Map<String, String> pairs = pairs(message, "XOAUTH2");
        String user = pairs.getOrDefault("user", "");
        if (user.isEmpty() || SaslText.hasControl(user)) {
            throw new SaslException("XOAUTH2 message names no user", "");
        }
        return new Credentials.Bearer(user, token(pairs.get("auth"), user, "XOAUTH2"), "XOAUTH2");
    }

    /**
     * Splits {@code key=value} pairs, each ended by {@code %x01}, the whole ended by one more {@code %x01}.
     *
     * @param pairs the text after the GS2 header (OAUTHBEARER) or the whole message (XOAUTH2)
     * @param mechanism the mechanism, for errors
     * @return the pairs in order; a key given twice keeps its first value
     * @throws SaslException if the text is not such pairs
     */
    private static Map<String, String> pairs(String pairs, String mechanism) throws SaslException {
        if (!pairs.endsWith("" + SEPARATOR + SEPARATOR) && !pairs.equals("" + SEPARATOR)) {
            throw new SaslException(mechanism + " message is not ended by two %x01", "");
        }
        Map<String, String> map = new LinkedHashMap<>();
        String body = pairs.substring(0, Math.max(0, pairs.length() - 2));
        if (body.isEmpty()) {
            return map;
        }
        for (String pair : body.split(String.valueOf(SEPARATOR), -1)) {
            int equals = pair.indexOf('=');
            if (equals <= 0 || !pair.substring(0, equals).chars().allMatch(Character::isLetter)) {
                throw new SaslException(mechanism + " message holds something that is not key=value", "");
            }
            map.putIfAbsent(pair.substring(0, equals).toLowerCase(Locale.ROOT), pair.substring(equals + 1));
        }
        return map;
    }

    /**
     * The token of an {@code auth} value: {@code Bearer} (any case), one space, a token (RFC 6750 section 2.1).
     *
     * @param auth the value of the {@code auth} key, or {@code null}
     * @param user the user name, for errors
     * @param mechanism the mechanism, for errors
     * @return the token
     * @throws SaslException if there is no bearer token
     */
    private static String token(String auth, String user, String mechanism) throws SaslException {
        if (auth == null || auth.length() < 8 || !auth.substring(0, 7).equalsIgnoreCase("Bearer ")) {
            throw new SaslException(mechanism + " message has no auth=Bearer token", user);
        }
        String token = auth.substring(7).strip();
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new SaslException(mechanism + " bearer token is empty or not printable ASCII", user);
        }
        return token;
    }

    /**
     * An error response: a JSON object of string members, in order, skipping absent ones.
     *
     * @param members name and value pairs: name, value, name, value...; a value may be an empty optional
     * @return the JSON, UTF-8 (in fact ASCII)
     */
    private static byte[] json(Object... members) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < members.length; i += 2) {
            Object value = members[i + 1];
            if (value instanceof Optional<?> optional) {
                if (optional.isEmpty()) {
                    continue;
                }
                value = optional.get();
            }
            if (json.length() > 1) {
                json.append(',');
            }
            quote(json, (String) members[i]);
            json.append(':');
            quote(json, value.toString());
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 8259 section 7. */
    private static void quote(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        json.append('"');
    }
}
