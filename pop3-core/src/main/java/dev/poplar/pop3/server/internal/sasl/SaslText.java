package dev.poplar.pop3.server.internal.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Text in SASL messages: strict UTF-8, and the separators the mechanisms split on. */
public final class SaslText {

    private SaslText() {
    }

    /**
     * Decodes UTF-8, refusing malformed input.
     *
     * @param message the message
     * @param from the first octet
     * @param to after the last octet
     * @param mechanism the mechanism, for the error
     * @return the text
     * @throws SaslException if the octets are not valid UTF-8
     */
    static String utf8(byte[] message, int from, int to, String mechanism) throws SaslException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            throw new SaslException(mechanism + " message is not valid UTF-8", "");
        }
    }

    /**
     * Decodes a whole message as UTF-8.
     *
     * @param message the message
     * @param mechanism the mechanism, for the error
     * @return the text
     * @throws SaslException if it is not valid UTF-8
     */
    static String utf8(byte[] message, String mechanism) throws SaslException {
        return utf8(message, 0, message.length, mechanism);
    }

    /**
     * The first position of an octet at or after {@code from}.
     *
     * @param message the message
     * @param octet the octet
     * @param from where to start
     * @return its index, or -1
     */
    static int indexOf(byte[] message, byte octet, int from) {
        for (int i = from; i < message.length; i++) {
            if (message[i] == octet) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether text holds a control character (C0, DEL) that has no place in a user name.
     *
     * @param text the text
     * @return {@code true} if it does
     */
    static boolean hasControl(String text) {
        return text.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    /**
     * A host name or address as it may appear in a message id ({@code <...@host>}): letters, digits, dots, dashes
     * and colons kept, anything else a dash.
     *
     * @param host the host name or literal address
     * @return the safe form
     */
    public static String hostPart(String host) {
        StringBuilder s = new StringBuilder();
        for (char c : host.toCharArray()) {
            s.append(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' ? c : '-');
        }
        return s.toString();
    }
}
