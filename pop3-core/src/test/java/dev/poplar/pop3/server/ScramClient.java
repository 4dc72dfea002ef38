package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.ScramSecret;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The client side of SCRAM (RFC 5802) for tests, written from the RFC: builds the client's messages, computes the
 * proof and checks the server's signature. Messages are base64, as they travel in POP3.
 */
final class ScramClient {

    private final ScramSecret.Algorithm algorithm;
    private final String gs2Header;
    private final byte[] channelBinding;
    private final String clientFirstBare;
    private final String clientNonce;
    private String authMessage;
    private byte[] saltedPassword;

    /**
     * A client.
     *
     * @param algorithm the hash
     * @param user the user name (written as a saslname)
     * @param gs2Header e.g. {@code n,,} or {@code p=tls-server-end-point,,}
     * @param channelBinding the binding data for {@code p=}, or an empty array
     * @param clientNonce the client's nonce
     */
    ScramClient(ScramSecret.Algorithm algorithm, String user, String gs2Header, byte[] channelBinding,
                String clientNonce) {
        this.algorithm = algorithm;
        this.gs2Header = gs2Header;
        this.channelBinding = channelBinding;
        this.clientNonce = clientNonce;
        this.clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
    }

    static ScramClient of(ScramSecret.Algorithm algorithm, String user) {
        return new ScramClient(algorithm, user, "n,,", new byte[0], "fyko+d2lbbFgONRv9qkxdawL");
    }

    /** @return the first message, base64 */
    String first() {
        return b64(gs2Header + clientFirstBare);
    }

    /**
     * The final message for a server's first message.
     *
     * @param serverFirstBase64 the server's challenge, base64
     * @param password the password
     * @return the final message, base64
     */
    String last(String serverFirstBase64, String password) {
        String serverFirst = text(serverFirstBase64);
        Map<String, String> attributes = attributes(serverFirst);
        if (!attributes.get("r").startsWith(clientNonce)) {
            throw new AssertionError("the server nonce does not extend the client's: " + serverFirst);
        }
        byte[] salt = Base64.getDecoder().decode(attributes.get("s"));
        int iterations = Integer.parseInt(attributes.get("i"));
        saltedPassword = hi(password, salt, iterations);
        byte[] header = gs2Header.getBytes(StandardCharsets.UTF_8);
        byte[] binding = new byte[header.length + channelBinding.length];
        System.arraycopy(header, 0, binding, 0, header.length);
        System.arraycopy(channelBinding, 0, binding, header.length, channelBinding.length);
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(binding) + ",r=" + attributes.get("r");
        authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientKey = algorithm.hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] signature = algorithm.hmac(algorithm.hash(clientKey), authMessage.getBytes(StandardCharsets.UTF_8));
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        return b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof));
    }

    /**
     * Whether the server's last challenge proves it knows the password's keys.
     *
     * @param serverFinalBase64 the challenge, base64
     * @return {@code true} if {@code v=} is the right signature
     */
    boolean verifies(String serverFinalBase64) {
        String expected = Base64.getEncoder().encodeToString(algorithm.hmac(
                algorithm.hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII)),
                authMessage.getBytes(StandardCharsets.UTF_8)));
        return MessageDigest.isEqual(("v=" + expected).getBytes(StandardCharsets.US_ASCII),
                text(serverFinalBase64).getBytes(StandardCharsets.US_ASCII));
    }

    static Map<String, String> attributes(String message) {
        Map<String, String> map = new HashMap<>();
        for (String part : message.split(",")) {
            map.put(part.substring(0, 1), part.substring(2));
        }
        return map;
    }

    static String text(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] hi(String password, byte[] salt, int iterations) {
        String prf = algorithm == ScramSecret.Algorithm.SHA_1 ? "PBKDF2WithHmacSHA1" : "PBKDF2WithHmacSHA256";
        try {
            return SecretKeyFactory.getInstance(prf).generateSecret(new PBEKeySpec(password.toCharArray(), salt,
                    iterations, algorithm.octets() * 8)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
