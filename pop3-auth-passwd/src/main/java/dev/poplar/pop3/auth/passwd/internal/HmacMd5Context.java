package dev.poplar.pop3.auth.passwd.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-MD5 (RFC 2104) split where Dovecot's {@code {CRAM-MD5}} scheme splits it: the stored secret is the MD5 state
 * after the first block of the outer hash ({@code key XOR opad}) and of the inner hash ({@code key XOR ipad}), each as
 * four little-endian 32-bit words, outer first (32 octets). From those states the server finishes the HMAC of a
 * CRAM-MD5 challenge (RFC 2195) without knowing the password.
 *
 * <p>The JDK's {@code MessageDigest} cannot start from a given state, so the MD5 compression function (RFC 1321
 * section 3.4) is here; its tests compare it with the JDK's MD5.
 */
public final class HmacMd5Context {

    /** The length of a context: two MD5 states. */
    public static final int LENGTH = 32;

    private static final int BLOCK = 64;
    private static final int[] INITIAL = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    private static final int[] SHIFTS = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};
    private static final int[] SINES = new int[64];

    static {
        // RFC 1321 section 3.4: T[i] is the integer part of 4294967296 * abs(sin(i)), i in radians, i = 1..64.
        for (int i = 0; i < 64; i++) {
            SINES[i] = (int) (long) Math.floor(Math.abs(StrictMath.sin(i + 1)) * 4294967296.0);
        }
    }

    private HmacMd5Context() {
    }

    /**
     * The context Dovecot stores for a key: {@code doveadm pw -s CRAM-MD5} writes it in hexadecimal.
     *
     * @param key the password, UTF-8 encoded; keys longer than a block are hashed first, as HMAC says
     * @return the 32-octet context
     */
    public static byte[] of(byte[] key) {
        byte[] block = Arrays.copyOf(key.length > BLOCK ? md5(key) : key, BLOCK);
        byte[] inner = new byte[BLOCK];
        byte[] outer = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            inner[i] = (byte) (block[i] ^ 0x36);
            outer[i] = (byte) (block[i] ^ 0x5c);
        }
        int[] innerState = INITIAL.clone();
        int[] outerState = INITIAL.clone();
        compress(innerState, inner, 0);
        compress(outerState, outer, 0);
        byte[] context = new byte[LENGTH];
        putWords(outerState, context, 0);
        putWords(innerState, context, 16);
        return context;
    }

    /**
     * Finishes the HMAC-MD5 of a message from a stored context.
     *
     * @param context the 32-octet context
     * @param message the message, e.g. the CRAM-MD5 challenge
     * @return the 16-octet HMAC
     * @throws IllegalArgumentException if the context does not have 32 octets
     */
    public static byte[] hmac(byte[] context, byte[] message) {
        if (context.length != LENGTH) {
            throw new IllegalArgumentException("a CRAM-MD5 context has " + LENGTH + " octets");
        }
        byte[] innerDigest = finish(words(context, 16), message);
        return finish(words(context, 0), innerDigest);
    }

    /**
     * The HMAC-MD5 of the challenge of a CRAM-MD5 exchange.
     *
     * @param context the stored context
     * @param challenge the challenge the server sent
     * @return the HMAC the client must send
     */
    public static byte[] response(byte[] context, String challenge) {
        return hmac(context, challenge.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * MD5 with this class's compression function, for its tests.
     *
     * @param message the message
     * @return its MD5 digest
     */
    static byte[] digest(byte[] message) {
        return finish(INITIAL.clone(), message, 0);
    }

    /** Hashes the rest of a message whose first block has been absorbed into {@code state}. */
    private static byte[] finish(int[] state, byte[] message) {
        return finish(state, message, BLOCK);
    }

    private static byte[] finish(int[] state, byte[] message, long alreadyHashed) {
        int full = message.length / BLOCK * BLOCK;
        for (int offset = 0; offset < full; offset += BLOCK) {
            compress(state, message, offset);
        }
        int rest = message.length - full;
        byte[] tail = new byte[rest < 56 ? BLOCK : 2 * BLOCK];
        System.arraycopy(message, full, tail, 0, rest);
        tail[rest] = (byte) 0x80;
        long bits = (alreadyHashed + message.length) * 8;
        for (int i = 0; i < 8; i++) {
            tail[tail.length - 8 + i] = (byte) (bits >>> (8 * i));
        }
        for (int offset = 0; offset < tail.length; offset += BLOCK) {
            compress(state, tail, offset);
        }
        byte[] digest = new byte[16];
        putWords(state, digest, 0);
        return digest;
    }

    /** RFC 1321 section 3.4: one 64-octet block into the state. */
    private static void compress(int[] state, byte[] block, int offset) {
        int[] x = new int[16];
        for (int i = 0; i < 16; i++) {
            x[i] = (block[offset + 4 * i] & 0xff) | (block[offset + 4 * i + 1] & 0xff) << 8
                    | (block[offset + 4 * i + 2] & 0xff) << 16 | (block[offset + 4 * i + 3] & 0xff) << 24;
        }
        int a = state[0];
        int b = state[1];
        int c = state[2];
        int d = state[3];
        for (int i = 0; i < 64; i++) {
            int round = i / 16;
            int f;
            int g;
            if (round == 0) {
                f = (b & c) | (~b & d);
                g = i;
            } else if (round == 1) {
                f = (d & b) | (~d & c);
                g = (5 * i + 1) % 16;
            } else if (round == 2) {
                f = b ^ c ^ d;
                g = (3 * i + 5) % 16;
            } else {
                f = c ^ (b | ~d);
                g = (7 * i) % 16;
            }
            int rotated = Integer.rotateLeft(a + f + SINES[i] + x[g], SHIFTS[round * 4 + i % 4]);
            a = d;
            d = c;
            c = b;
            b = b + rotated;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
    }

    private static int[] words(byte[] bytes, int offset) {
        int[] words = new int[4];
        for (int i = 0; i < 4; i++) {
            int at = offset + 4 * i;
            words[i] = (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16
                    | (bytes[at + 3] & 0xff) << 24;
        }
        return words;
    }

    private static void putWords(int[] words, byte[] out, int offset) {
        for (int i = 0; i < words.length; i++) {
            for (int j = 0; j < 4; j++) {
                out[offset + 4 * i + j] = (byte) (words[i] >>> (8 * j));
            }
        }
    }

    private static byte[] md5(byte[] input) {
        try {
            return MessageDigest.getInstance("MD5").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }
}
