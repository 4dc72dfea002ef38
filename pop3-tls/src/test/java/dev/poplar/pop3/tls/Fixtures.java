package dev.poplar.pop3.tls;

import dev.poplar.pop3.tls.internal.CertificateIssuer;
import dev.poplar.pop3.tls.internal.CertificateIssuer.Purpose;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;

/** Key and certificate fixtures, made in the test with Bouncy Castle and the JDK, written in the formats tools use. */
final class Fixtures {

    static final List<String> LOCAL = List.of("localhost", "127.0.0.1");

    private Fixtures() {
    }

    /** A certificate authority for fixtures: its keys and self-signed certificate. */
    record Authority(KeyPair keys, X509Certificate certificate) {

        static Authority create(String name) {
            return create(name, CertificateIssuer.ecKeyPair(new SecureRandom()));
        }

        static Authority create(String name, KeyPair keys) {
            Instant now = Instant.now();
            return new Authority(keys, CertificateIssuer.issue(new X500Name("CN=" + name), keys, null, keys,
                    Purpose.AUTHORITY, List.of(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(400)),
                    new SecureRandom()));
        }

        Authority intermediate(String name) {
            KeyPair subKeys = CertificateIssuer.ecKeyPair(new SecureRandom());
            Instant now = Instant.now();
            return new Authority(subKeys, CertificateIssuer.issue(new X500Name("CN=" + name), subKeys, certificate,
                    keys, Purpose.AUTHORITY, List.of(), now.minus(Duration.ofDays(1)),
                    now.plus(Duration.ofDays(300)), new SecureRandom()));
        }

        X509Certificate server(KeyPair subject, String commonName, Instant notBefore, Instant notAfter) {
            return server(subject, commonName, LOCAL, notBefore, notAfter);
        }

        X509Certificate server(KeyPair subject, String commonName, List<String> names, Instant notBefore,
                Instant notAfter) {
            return CertificateIssuer.issue(new X500Name("CN=" + commonName), subject, certificate, keys,
                    Purpose.SERVER, names, notBefore.truncatedTo(ChronoUnit.SECONDS),
                    notAfter.truncatedTo(ChronoUnit.SECONDS), new SecureRandom());
        }

        X509Certificate server(KeyPair subject, String commonName) {
            Instant now = Instant.now();
            return server(subject, commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(90)));
        }
    }

    static KeyPair rsa() {
        return generate("RSA", 2048);
    }

    static KeyPair ec() {
        return CertificateIssuer.ecKeyPair(new SecureRandom());
    }

    static KeyPair ed25519() {
        return generate("Ed25519", 0);
    }

    private static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (bits > 0) {
                generator.initialize(bits, new SecureRandom());
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path writeCertificates(Path file, X509Certificate... certificates) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (X509Certificate certificate : certificates) {
                pem.writeObject(certificate);
            }
        }
        return file;
    }

    /**
     * PKCS#1 for RSA ({@code RSA PRIVATE KEY}), SEC 1 for EC ({@code EC PRIVATE KEY}): OpenSSL's traditional form.
     * The key goes through Bouncy Castle first so that a SEC 1 key names its curve, as OpenSSL writes it.
     */
    static Path writeTraditionalKey(Path file, KeyPair keys) throws Exception {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(asOpenSsl(keys));
        }
        return file;
    }

    private static KeyPair asOpenSsl(KeyPair keys) throws GeneralSecurityException {
        PrivateKey key = KeyFactory.getInstance(keys.getPrivate().getAlgorithm(), new BouncyCastleProvider())
                .generatePrivate(new PKCS8EncodedKeySpec(keys.getPrivate().getEncoded()));
        return new KeyPair(keys.getPublic(), key);
    }

    /** OpenSSL's legacy encrypted traditional form ({@code Proc-Type: 4,ENCRYPTED}). */
    static Path writeEncryptedTraditionalKey(Path file, KeyPair keys, char[] password) throws Exception {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaMiscPEMGenerator(asOpenSsl(keys),
                    new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(new BouncyCastleProvider())
                            .setSecureRandom(new SecureRandom()).build(password)));
        }
        return file;
    }

    static Path writePkcs8(Path file, PrivateKey key) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
        return file;
    }

    static Path writeEncryptedPkcs8(Path file, PrivateKey key, char[] password) throws Exception {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setProvider(new BouncyCastleProvider()).setRandom(new SecureRandom()).setPassword(password).build()));
        }
        return file;
    }

    static Path writePkcs12(Path file, PrivateKey key, char[] password, X509Certificate... chain) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, password, chain);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }
}
