package dev.poplar.pop3.tls.internal;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.poplar.pop3.tls.KeyMaterial;
import dev.poplar.pop3.tls.TlsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the PEM loader with arbitrary certificate and key files. Runs its seeds in every build (regression mode);
 * {@code JAZZER_FUZZ=1} fuzzes (see the README's "Fuzzing" section).
 */
class PemFuzzTest {

    /**
     * Any pair of files loads, or is refused with a {@link TlsException} that names the file; nothing else escapes.
     *
     * <p>The input: the chain file, then after an octet 0xFF the key file, then after another 0xFF the password (none
     * if absent).
     *
     * @param input the fuzzer's input
     */
    @FuzzTest(maxDuration = "5m")
    @DictionaryEntries({"-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----",
            "-----END PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----", "Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,", "MII",
            "MHcCAQEE"})
    void anyFilesLoadOrAreRefusedNamingTheFile(byte[] input) throws IOException {
        int first = indexOf(input, 0);
        int second = indexOf(input, first + 1);
        char[] password = second < input.length
                ? new String(Arrays.copyOfRange(input, second + 1, input.length)).toCharArray() : null;
        Path chain = Files.createTempFile("chain", ".pem");
        Path key = Files.createTempFile("key", ".pem");
        try {
            Files.write(chain, Arrays.copyOfRange(input, 0, first));
            Files.write(key, Arrays.copyOfRange(input, Math.min(first + 1, input.length), second));
            loadsOrNames(chain, () -> MaterialReader.certificates(chain));
            loadsOrNames(key, () -> MaterialReader.privateKey(key, password));
            loadsOrNames(chain, key, () -> password == null ? KeyMaterial.fromPem(chain, key)
                    : KeyMaterial.fromPem(chain, key, password));
        } finally {
            Files.delete(chain);
            Files.delete(key);
        }
    }

    private static void loadsOrNames(Path file, Callable<?> load) {
        loadsOrNames(file, file, load);
    }

    private static void loadsOrNames(Path one, Path other, Callable<?> load) {
        try {
            assertThat(load.call()).isNotNull();
        } catch (TlsException e) {
            assertThat(e.getMessage()).containsAnyOf(one.toString(), other.toString());
        } catch (Exception e) {
            throw new AssertionError("not a TlsException: " + e, e);
        }
    }

    private static int indexOf(byte[] input, int from) {
        for (int i = from; i < input.length; i++) {
            if (input[i] == (byte) 0xFF) {
                return i;
            }
        }
        return input.length;
    }
}
