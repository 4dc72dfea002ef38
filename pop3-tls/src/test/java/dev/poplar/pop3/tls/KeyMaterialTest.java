package dev.poplar.pop3.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poplar.pop3.tls.Fixtures.Authority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyMaterialTest {

    private static final char[] PASSWORD = "correct horse".toCharArray();

    private final Authority authority = Authority.create("Fixture CA");

    @TempDir
    Path dir;

    private Path chainFor(KeyPair keys) throws Exception {
        return Fixtures.writeCertificates(dir.resolve("fullchain.pem"), authority.server(keys, "mail.example.test"));
    }

    /** Loading checks that the key signs for the certificate; this checks it is the fixture's certificate. */
    private static void assertServes(KeyMaterial material, KeyPair keys) {
        assertThat(material.certificate().getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(material.privateKey().getAlgorithm()).isEqualTo(keys.getPrivate().getAlgorithm());
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertProblem(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable load, Path file, String problem) {
        return assertThatThrownBy(load).isInstanceOf(TlsException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((TlsException) e).file()).contains(file));
    }

    @Nested
    class PemFormats {

        @Test
        void anRsaKeyInPkcs1IsLoaded() throws Exception {
            KeyPair keys = Fixtures.rsa();
            Path key = Fixtures.writeTraditionalKey(dir.resolve("privkey.pem"), keys);
            assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
            assertServes(KeyMaterial.fromPem(chainFor(keys), key), keys);
        }

        @Test
        void anRsaKeyInPkcs8IsLoaded() throws Exception {
            KeyPair keys = Fixtures.rsa();
            Path key = Fixtures.writePkcs8(dir.resolve("privkey.pem"), keys.getPrivate());
            assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
            assertServes(KeyMaterial.fromPem(chainFor(keys), key), keys);
        }

        @Test
        void anEcKeyInSec1IsLoaded() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path key = Fixtures.writeTraditionalKey(dir.resolve("privkey.pem"), keys);
            assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");
            assertServes(KeyMaterial.fromPem(chainFor(keys), key), keys);
        }

        @Test
        void anEcKeyInPkcs8IsLoaded() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path key = Fixtures.writePkcs8(dir.resolve("privkey.pem"), keys.getPrivate());
            assertServes(KeyMaterial.fromPem(chainFor(keys), key), keys);
        }

        @Test
        void anEd25519KeyInPkcs8IsLoaded() throws Exception {
            KeyPair keys = Fixtures.ed25519();
            Path key = Fixtures.writePkcs8(dir.resolve("privkey.pem"), keys.getPrivate());
            assertServes(KeyMaterial.fromPem(chainFor(keys), key), keys);
        }

        @Test
        void anEncryptedPkcs8KeyIsLoadedWithItsPassword() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path key = Fixtures.writeEncryptedPkcs8(dir.resolve("privkey.pem"), keys.getPrivate(), PASSWORD);
            assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
            assertServes(KeyMaterial.fromPem(chainFor(keys), key, PASSWORD), keys);
        }

        @Test
        void anOpensslEncryptedPkcs1KeyIsLoadedWithItsPassword() throws Exception {
            KeyPair keys = Fixtures.rsa();
            Path key = Fixtures.writeEncryptedTraditionalKey(dir.resolve("privkey.pem"), keys, PASSWORD);
            assertThat(Files.readString(key)).contains("Proc-Type: 4,ENCRYPTED");
            assertServes(KeyMaterial.fromPem(chainFor(keys), key, PASSWORD), keys);
        }

        @Test
        void oneFileHoldingChainAndKeyIsLoaded() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path combined = dir.resolve("combined.pem");
            Files.writeString(combined, Files.readString(chainFor(keys))
                    + Files.readString(Fixtures.writePkcs8(dir.resolve("k.pem"), keys.getPrivate())));
            KeyMaterial material = KeyMaterial.fromPem(combined, combined);
            assertServes(material, keys);
            assertThat(material.source()).isEqualTo(combined.toString());
        }

        @Test
        void aChainWithAnIntermediateKeepsItsOrder() throws Exception {
            Authority intermediate = authority.intermediate("Intermediate CA");
            KeyPair keys = Fixtures.ec();
            X509Certificate leaf = intermediate.server(keys, "leaf");
            Path chain = Fixtures.writeCertificates(dir.resolve("fullchain.pem"), leaf, intermediate.certificate());
            KeyMaterial material = KeyMaterial.fromPem(chain,
                    Fixtures.writePkcs8(dir.resolve("privkey.pem"), keys.getPrivate()));
            assertThat(material.chain()).containsExactly(leaf, intermediate.certificate());
            assertThat(material.certificate()).isEqualTo(leaf);
            assertThat(material.notAfter()).isEqualTo(leaf.getNotAfter().toInstant());
        }

        @Test
        void writtenPemFilesLoadAgain() throws Exception {
            KeyMaterial issued = DevCertificateAuthority.create().issue("mail.test");
            Path chain = dir.resolve("chain.pem");
            Path key = dir.resolve("key.pem");
            issued.writePem(chain, key);
            KeyMaterial loaded = KeyMaterial.fromPem(chain, key);
            assertThat(loaded.chain()).isEqualTo(issued.chain());
            assertThat(loaded.privateKey().getEncoded()).isEqualTo(issued.privateKey().getEncoded());
            assertThat(Files.getPosixFilePermissions(key)).extracting(Object::toString)
                    .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        }
    }

    @Nested
    class Pkcs12 {

        @Test
        void theKeyEntryAndItsChainAreLoaded() throws Exception {
            KeyPair keys = Fixtures.rsa();
            X509Certificate leaf = authority.server(keys, "p12");
            Path file = Fixtures.writePkcs12(dir.resolve("server.p12"), keys.getPrivate(), PASSWORD, leaf,
                    authority.certificate());
            KeyMaterial material = KeyMaterial.fromPkcs12(file, PASSWORD);
            assertServes(material, keys);
            assertThat(material.chain()).containsExactly(leaf, authority.certificate());
        }

        @Test
        void anEcKeyEntryIsLoaded() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path file = Fixtures.writePkcs12(dir.resolve("server.p12"), keys.getPrivate(), PASSWORD,
                    authority.server(keys, "p12"));
            assertServes(KeyMaterial.fromPkcs12(file, PASSWORD), keys);
        }

        @Test
        void aWrongPasswordIsNamed() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path file = Fixtures.writePkcs12(dir.resolve("server.p12"), keys.getPrivate(), PASSWORD,
                    authority.server(keys, "p12"));
            assertProblem(() -> KeyMaterial.fromPkcs12(file, "wrong".toCharArray()), file, "wrong password");
        }

        @Test
        void aPemFileIsNotPkcs12() throws Exception {
            Path file = chainFor(Fixtures.ec());
            assertProblem(() -> KeyMaterial.fromPkcs12(file, PASSWORD), file, "not a readable PKCS#12 file");
        }
    }

    @Nested
    class Problems {

        @Test
        void aMissingFileIsNamed() {
            Path missing = dir.resolve("nowhere.pem");
            assertProblem(() -> KeyMaterial.fromPem(missing, missing), missing, "does not exist");
        }

        @Test
        void aGarbageChainFileIsNamed() throws Exception {
            Path garbage = Files.write(dir.resolve("chain.pem"), new byte[] {0x30, (byte) 0x82, 0x01, 0x00, 7, 9});
            assertProblem(() -> KeyMaterial.fromPem(garbage, garbage), garbage, "no certificate found")
                    .hasMessageContaining("no PEM block");
        }

        @Test
        void aCorruptPemBlockIsNamed() throws Exception {
            Path corrupt = Files.writeString(dir.resolve("chain.pem"),
                    "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
            assertProblem(() -> KeyMaterial.fromPem(corrupt, corrupt), corrupt, "not valid PEM");
        }

        @Test
        void aKeyFileWithoutAKeyIsNamed() throws Exception {
            Path chain = chainFor(Fixtures.ec());
            assertProblem(() -> KeyMaterial.fromPem(chain, chain), chain, "no private key found")
                    .hasMessageContaining("1 certificate(s)");
        }

        @Test
        void aKeyThatDoesNotMatchTheCertificateIsNamed() throws Exception {
            Path chain = chainFor(Fixtures.ec());
            Path otherKey = Fixtures.writePkcs8(dir.resolve("privkey.pem"), Fixtures.ec().getPrivate());
            assertProblem(() -> KeyMaterial.fromPem(chain, otherKey), otherKey,
                    "the private key does not match the certificate CN=mail.example.test in " + chain);
        }

        @Test
        void aKeyOfAnotherAlgorithmThanTheCertificateIsNamed() throws Exception {
            Path chain = chainFor(Fixtures.ec());
            Path rsaKey = Fixtures.writePkcs8(dir.resolve("privkey.pem"), Fixtures.rsa().getPrivate());
            assertProblem(() -> KeyMaterial.fromPem(chain, rsaKey), rsaKey, "does not match the certificate");
        }

        @Test
        void anExpiredCertificateIsNamed() throws Exception {
            KeyPair keys = Fixtures.ec();
            Instant now = Instant.now();
            Path chain = Fixtures.writeCertificates(dir.resolve("fullchain.pem"), authority.server(keys, "old",
                    now.minus(Duration.ofDays(100)), now.minus(Duration.ofDays(10))));
            Path key = Fixtures.writePkcs8(dir.resolve("privkey.pem"), keys.getPrivate());
            assertProblem(() -> KeyMaterial.fromPem(chain, key), chain, "the certificate CN=old expired on");
        }

        @Test
        void aCertificateNotYetValidIsNamed() throws Exception {
            KeyPair keys = Fixtures.ec();
            Instant now = Instant.now();
            Path chain = Fixtures.writeCertificates(dir.resolve("fullchain.pem"), authority.server(keys, "future",
                    now.plus(Duration.ofDays(2)), now.plus(Duration.ofDays(90))));
            Path key = Fixtures.writePkcs8(dir.resolve("privkey.pem"), keys.getPrivate());
            assertProblem(() -> KeyMaterial.fromPem(chain, key), chain, "is not valid before");
        }

        @Test
        void aWrongPasswordForAnEncryptedKeyIsNamed() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path key = Fixtures.writeEncryptedPkcs8(dir.resolve("privkey.pem"), keys.getPrivate(), PASSWORD);
            Path chain = chainFor(keys);
            assertProblem(() -> KeyMaterial.fromPem(chain, key, "wrong".toCharArray()), key, "wrong password");
        }

        @Test
        void aWrongPasswordForAnOpensslEncryptedKeyIsNamed() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path key = Fixtures.writeEncryptedTraditionalKey(dir.resolve("privkey.pem"), keys, PASSWORD);
            Path chain = chainFor(keys);
            assertProblem(() -> KeyMaterial.fromPem(chain, key, "wrong".toCharArray()), key, "wrong password");
        }

        @Test
        void anEncryptedKeyWithoutAPasswordIsNamed() throws Exception {
            KeyPair keys = Fixtures.ec();
            Path key = Fixtures.writeEncryptedPkcs8(dir.resolve("privkey.pem"), keys.getPrivate(), PASSWORD);
            Path chain = chainFor(keys);
            assertProblem(() -> KeyMaterial.fromPem(chain, key), key, "encrypted but no password was given");
        }

        @Test
        void aDirectoryIsNamed() {
            assertProblem(() -> KeyMaterial.fromPem(dir, dir), dir, "is a directory");
        }

        @Test
        void anEmptyFileIsNamed() throws Exception {
            Path empty = Files.writeString(dir.resolve("empty.pem"), "", StandardCharsets.US_ASCII);
            assertProblem(() -> KeyMaterial.fromPem(empty, empty), empty, "no certificate found");
        }

        @Test
        void givenMaterialIsCheckedToo() {
            KeyPair keys = Fixtures.ec();
            X509Certificate certificate = authority.server(keys, "given");
            assertThatThrownBy(() -> KeyMaterial.of(Fixtures.ec().getPrivate(), List.of(certificate)))
                    .isInstanceOf(TlsException.class)
                    .hasMessageContaining("the private key does not match the certificate CN=given");
        }
    }
}
