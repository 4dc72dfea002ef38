package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** SASL PLAIN (RFC 4616): one message {@code [authzid] NUL authcid NUL passwd}, UTF-8. */
public final class PlainMechanism implements SaslMechanism {

    @Override
    public String name() {
        return "PLAIN";
    }

    @Override
    public boolean clearText() {
        return true;
    }

    @Override
    public Class<? extends Credentials> produces() {
        return Credentials.Password.class;
    }

    @Override
    public SaslExchange start() {
        return response -> {
            if (response == null) {
                // RFC 4616 section 2: the server sends an empty challenge when there was no initial response.
                return new SaslExchange.Challenge(new byte[0]);
            }
            return new SaslExchange.Done(parse(response));
        };
    }

    private static Credentials parse(byte[] message) throws SaslException {
        int first = indexOf(message, 0);
        int second = first < 0 ? -1 : indexOf(message, first + 1);
        if (second < 0 || indexOf(message, second + 1) >= 0) {
            throw new SaslException("PLAIN message must have exactly two NUL separators", "");
        }
        String authzid = utf8(message, 0, first);
        String authcid = utf8(message, first + 1, second);
        String password = utf8(message, second + 1, message.length);
        if (authcid.isEmpty() || password.isEmpty()) {
            throw new SaslException("PLAIN message has an empty user name or password", authcid);
        }
        return new Credentials.Password(authcid, password, authzid);
    }

    private static int indexOf(byte[] message, int from) {
        for (int i = from; i < message.length; i++) {
            if (message[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] message, int from, int to) throws SaslException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            throw new SaslException("PLAIN message is not valid UTF-8", "");
        }
    }
}
