package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * SASL {@code SCRAM-SHA-1} and {@code SCRAM-SHA-256} (RFC 5802, RFC 7677), and their {@code -PLUS} variants bound to
 * the TLS channel with {@code tls-server-end-point} (RFC 5929). The server keeps no password: it asks the
 * authenticator for the user's {@link ScramSecret} (a lookup that may block, made after the failed-login penalty),
 * checks the client's proof itself, and only then asks the authenticator whether the user may log in
 * ({@link Credentials.Scram}).
 *
 * <p>The exchange in POP3 (RFC 5034 allows no data with {@code +OK}, so the server's signature is a last challenge,
 * RFC 4422 section 3.6):
 * <pre>
 * C: AUTH SCRAM-SHA-256 base64(n,,n=user,r=cnonce)
 * S: + base64(r=cnonce+snonce,s=salt,i=4096)
 * C: base64(c=biws,r=cnonce+snonce,p=proof)
 * S: + base64(v=signature)
 * C: (empty line)
 * S: +OK maildrop has ...
 * </pre>
 * An unknown user gets a {@linkplain ScramDecoys decoy} secret, so that the second line gives nothing away; the wrong
 * proof then fails as a wrong password does. A client that says it could bind to the channel ({@code y}) while the
 * server offers {@code -PLUS} on this connection is refused (RFC 5802 section 6: a downgrade).
 */
public final class ScramMechanism {

    /** The only channel binding type offered. */
    static final String CHANNEL_BINDING = "tls-server-end-point";

    private final ScramSecret.Algorithm algorithm;
    private final boolean plus;
    private final Authenticator authenticator;
    private final ScramDecoys decoys;
    private final SecureRandom random = new SecureRandom();

    private ScramMechanism(ScramSecret.Algorithm algorithm, boolean plus, Authenticator authenticator,
                           ScramDecoys decoys) {
        this.algorithm = algorithm;
        this.plus = plus;
        this.authenticator = authenticator;
        this.decoys = decoys;
    }

    /**
     * The SCRAM mechanisms of a server, strongest first: {@code SCRAM-SHA-256-PLUS}, {@code SCRAM-SHA-256},
     * {@code SCRAM-SHA-1-PLUS}, {@code SCRAM-SHA-1}. They share one decoy key.
     *
     * @param authenticator where the secrets come from
     * @return the mechanisms
     */
    public static List<SaslMechanism> all(Authenticator authenticator) {
        ScramDecoys decoys = new ScramDecoys();
        return List.of(
                new ScramMechanism(ScramSecret.Algorithm.SHA_256, true, authenticator, decoys).mechanism(),
                new ScramMechanism(ScramSecret.Algorithm.SHA_256, false, authenticator, decoys).mechanism(),
                new ScramMechanism(ScramSecret.Algorithm.SHA_1, true, authenticator, decoys).mechanism(),
                new ScramMechanism(ScramSecret.Algorithm.SHA_1, false, authenticator, decoys).mechanism());
    }

    private SaslMechanism mechanism() {
        return new SaslMechanism(name(), false, Credentials.Scram.class,
                connection -> !plus || connection.channelBindingAvailable(), Exchange::new);
    }

    private String name() {
        return algorithm.mechanism() + (plus ? "-PLUS" : "");
    }

    /** One exchange: client-first, server-first, client-final, server-final, done. */
    private final class Exchange implements SaslExchange {

        private final SaslContext connection;
        private String gs2Header;
        private String clientFirstBare;
        private String nonce;
        private String user = "";
        private String authzid;
        private String serverFirst;
        private ScramSecret secret;
        private boolean decoy;
        private boolean verified;

        Exchange(SaslContext connection) {
            this.connection = connection;
        }

        @Override
        public Step next(byte[] response) throws SaslException {
            if (verified) {
                if (response == null || response.length != 0) {
                    throw new SaslException(name() + ": the answer to the server signature must be empty", user);
                }
                return new Done(new Credentials.Scram(user, authzid, algorithm, plus), null, true);
            }
            if (serverFirst != null) {
                return clientFinal(text(response));
            }
            if (response == null) {
                return new Challenge(new byte[0]);
            }
            return clientFirst(text(response));
        }

        private Step clientFirst(String message) throws SaslException {
            // gs2-header = gs2-cbind-flag "," [ authzid ] ","
            int first = message.indexOf(',');
            int second = first < 0 ? -1 : message.indexOf(',', first + 1);
            if (second < 0) {
                throw fail("the first message has no GS2 header");
            }
            String flag = message.substring(0, first);
            checkChannelBindingFlag(flag);
            String authz = message.substring(first + 1, second);
            if (!authz.isEmpty() && !authz.startsWith("a=")) {
                throw fail("malformed authorization identity");
            }
            authzid = authz.isEmpty() ? "" : saslName(authz.substring(2));
            gs2Header = message.substring(0, second + 1);
            clientFirstBare = message.substring(second + 1);
            String[] attributes = clientFirstBare.split(",", -1);
            if (attributes.length < 2 || !attributes[0].startsWith("n=") || !attributes[1].startsWith("r=")) {
                // This also refuses the mandatory extension "m=", which no one defines (RFC 5802 section 5.1).
                throw fail("the first message must start with n=user,r=nonce");
            }
            user = saslName(attributes[0].substring(2));
            String clientNonce = attributes[1].substring(2);
            if (user.isEmpty() || SaslText.hasControl(user) || !printable(clientNonce)) {
                throw fail("empty user name or bad nonce");
            }
            byte[] serverNonce = new byte[18];
            random.nextBytes(serverNonce);
            nonce = clientNonce + Base64.getEncoder().encodeToString(serverNonce);
            String lookedUp = user;
            return new Lookup<Optional<ScramSecret>>(lookedUp, authenticator.mayBlock(),
                    () -> authenticator.scramSecret(lookedUp, algorithm), this::serverFirst);
        }

        private void checkChannelBindingFlag(String flag) throws SaslException {
            if (plus) {
                if (!flag.equals("p=" + CHANNEL_BINDING)) {
                    throw fail("-PLUS needs channel binding p=" + CHANNEL_BINDING + ", not '" + flag + "'");
                }
            } else if (flag.equals("y")) {
                if (connection.channelBindingAvailable()) {
                    throw fail("the client could bind to the channel but the server offers -PLUS here: a downgrade");
                }
            } else if (!flag.equals("n")) {
                throw fail("channel binding '" + flag + "' needs the -PLUS mechanism");
            }
        }

        private Step serverFirst(Optional<ScramSecret> found) throws SaslException {
            if (found != null && found.isPresent() && found.get().algorithm() == algorithm) {
                secret = found.get();
                decoys.seen(secret);
            } else {
                secret = decoys.decoy(user, algorithm);
                decoy = true;
            }
            serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(secret.salt()) + ",i="
                    + secret.iterations();
            return new Challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
        }

        private Step clientFinal(String message) throws SaslException {
            int proofAt = message.lastIndexOf(",p=");
            if (proofAt < 0 || !message.startsWith("c=")) {
                throw fail("the final message must be c=...,r=...,p=proof");
            }
            String withoutProof = message.substring(0, proofAt);
            String[] attributes = withoutProof.split(",", -1);
            if (attributes.length < 2 || !attributes[1].equals("r=" + nonce)) {
                throw fail("the final message does not repeat the nonce");
            }
            byte[] binding = decode(attributes[0].substring(2));
            byte[] header = gs2Header.getBytes(StandardCharsets.UTF_8);
            byte[] expected = plus ? concat(header, connection.tlsServerEndPoint()) : header;
            if (!MessageDigest.isEqual(binding, expected)) {
                throw fail("channel binding data does not match this connection");
            }
            byte[] proof = decode(message.substring(proofAt + 3));
            byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                    .getBytes(StandardCharsets.UTF_8);
            byte[] storedKey = secret.storedKey();
            byte[] signature = algorithm.hmac(storedKey, authMessage);
            if (proof.length != signature.length) {
                throw fail("the proof has the wrong length");
            }
            byte[] clientKey = new byte[proof.length];
            for (int i = 0; i < proof.length; i++) {
                clientKey[i] = (byte) (proof[i] ^ signature[i]);
            }
            boolean matches = MessageDigest.isEqual(algorithm.hash(clientKey), storedKey);
            if (!matches || decoy) {
                throw new SaslException(decoy ? "unknown user" : "wrong password (SCRAM proof)", user);
            }
            verified = true;
            byte[] serverSignature = algorithm.hmac(secret.serverKey(), authMessage);
            return new Challenge(("v=" + Base64.getEncoder().encodeToString(serverSignature))
                    .getBytes(StandardCharsets.UTF_8));
        }

        private String text(byte[] response) throws SaslException {
            if (response == null) {
                throw fail("a response is missing");
            }
            return SaslText.utf8(response, name());
        }

        private byte[] decode(String base64) throws SaslException {
            try {
                return Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw fail("bad base64 inside the message");
            }
        }

        private SaslException fail(String why) {
            return new SaslException(name() + ": " + why, user);
        }

        /** RFC 5802 section 5.1: "=2C" is a comma, "=3D" an equals sign, and no other "=" may appear. */
        private String saslName(String value) throws SaslException {
            StringBuilder name = new StringBuilder(value.length());
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c != '=') {
                    name.append(c);
                } else if (value.startsWith("=2C", i)) {
                    name.append(',');
                    i += 2;
                } else if (value.startsWith("=3D", i)) {
                    name.append('=');
                    i += 2;
                } else {
                    throw fail("a name holds '=' not escaped as =2C or =3D");
                }
            }
            return name.toString();
        }
    }

    private static boolean printable(String nonce) {
        return !nonce.isEmpty() && nonce.chars().allMatch(c -> c >= 0x21 && c <= 0x7e && c != ',');
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = new byte[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
