package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * SASL CRAM-MD5 (RFC 2195): the server sends a unique challenge in the form of a message id, the client answers
 * with its user name, a space, and the HMAC-MD5 of the challenge keyed with the shared secret in lower-case hex. The
 * authenticator checks the digest ({@link Credentials.CramMd5#matches}). No initial response.
 */
public final class CramMd5Mechanism {

    private final SecureRandom random = new SecureRandom();

    private CramMd5Mechanism() {
    }

    /** @return the mechanism, with its own source of random challenges */
    public static SaslMechanism create() {
        CramMd5Mechanism mechanism = new CramMd5Mechanism();
        return new SaslMechanism("CRAM-MD5", false, Credentials.CramMd5.class, mechanism::start);
    }

    private SaslExchange start(SaslContext connection) {
        byte[] nonce = new byte[8];
        random.nextBytes(nonce);
        // RFC 2195 section 2: "<random.timestamp@hostname>", unique per exchange.
        String challenge = "<" + HexFormat.of().formatHex(nonce) + "." + System.currentTimeMillis() + "@"
                + SaslText.hostPart(connection.client().localAddress().getHostString()) + ">";
        return new SaslExchange() {
            private boolean sent;

            @Override
            public Step next(byte[] response) throws SaslException {
                if (!sent) {
                    if (response != null) {
                        // RFC 5034 section 4: an initial response to a mechanism that takes none is refused.
                        throw new SaslException("CRAM-MD5 takes no initial response", "");
                    }
                    sent = true;
                    return new Challenge(challenge.getBytes(StandardCharsets.US_ASCII));
                }
                String answer = SaslText.utf8(response, "CRAM-MD5");
                int space = answer.lastIndexOf(' ');
                String user = space < 0 ? "" : answer.substring(0, space);
                String digest = space < 0 ? "" : answer.substring(space + 1);
                if (user.isEmpty() || SaslText.hasControl(user) || !digest.matches("[0-9A-Fa-f]{32}")) {
                    throw new SaslException("CRAM-MD5 response is not 'user digest'", user);
                }
                return new Done(new Credentials.CramMd5(user, challenge, digest));
            }
        };
    }
}
