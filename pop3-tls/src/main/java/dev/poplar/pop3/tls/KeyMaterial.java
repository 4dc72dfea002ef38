package dev.poplar.pop3.tls;

import dev.poplar.pop3.tls.internal.CertificateChecks;
import dev.poplar.pop3.tls.internal.MaterialReader;
import dev.poplar.pop3.tls.internal.PemWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A private key with its certificate chain: what a TLS server (or a client with a certificate) presents.
 *
 * <p>Every factory checks the material before returning it: the key must be RSA (2048 bits or more), EC or Ed25519,
 * it must match the first certificate of the chain, and every certificate must be valid now. A problem is a
 * {@link TlsException} whose message names the file and what is wrong with it.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyMaterial {

    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;
    private final String source;

    private KeyMaterial(PrivateKey privateKey, List<X509Certificate> chain, String source) {
        this.privateKey = privateKey;
        this.chain = List.copyOf(chain);
        this.source = source;
    }

    /**
     * Loads an unencrypted key and its chain from PEM files, as Let's Encrypt writes them ({@code fullchain.pem} and
     * {@code privkey.pem}). The two paths may name the same file if it holds both.
     *
     * @param chainFile the certificates, leaf first
     * @param keyFile the private key: PKCS#1, SEC 1 or PKCS#8; RSA, EC or Ed25519
     * @return the checked key material
     * @throws TlsException if a file is missing, unreadable or malformed, the key is encrypted, does not match the
     *     certificate, or a certificate is not valid now
     */
    public static KeyMaterial fromPem(Path chainFile, Path keyFile) throws TlsException {
        return fromPem(chainFile, keyFile, null);
    }

    /**
     * Loads a key, possibly encrypted, and its chain from PEM files.
     *
     * @param chainFile the certificates, leaf first
     * @param keyFile the private key: PKCS#1, SEC 1, PKCS#8 or encrypted PKCS#8 (or OpenSSL-encrypted PKCS#1/SEC 1)
     * @param password the key's password, or {@code null} for an unencrypted key; not kept
     * @return the checked key material
     * @throws TlsException if a file is missing, unreadable or malformed, the password is missing or wrong, the key
     *     does not match the certificate, or a certificate is not valid now
     */
    public static KeyMaterial fromPem(Path chainFile, Path keyFile, char[] password) throws TlsException {
        Objects.requireNonNull(chainFile, "chainFile");
        Objects.requireNonNull(keyFile, "keyFile");
        List<X509Certificate> chain = MaterialReader.certificates(chainFile);
        PrivateKey key = MaterialReader.privateKey(keyFile, password);
        CertificateChecks.check(key, chain, keyFile, chainFile, Instant.now());
        return new KeyMaterial(key, chain, chainFile.equals(keyFile) ? chainFile.toString()
                : chainFile + " and " + keyFile);
    }

    /**
     * Loads the first key entry of a PKCS#12 file and its chain.
     *
     * @param file the PKCS#12 file
     * @param password the password of the file and its key (empty for none); not kept
     * @return the checked key material
     * @throws TlsException if the file is missing, unreadable or not PKCS#12, the password is wrong, it holds no
     *     key, the key does not match the certificate, or a certificate is not valid now
     */
    public static KeyMaterial fromPkcs12(Path file, char[] password) throws TlsException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(password, "password (use an empty array for none)");
        MaterialReader.Loaded loaded = MaterialReader.pkcs12(file, password);
        CertificateChecks.check(loaded.key(), loaded.chain(), file, file, Instant.now());
        return new KeyMaterial(loaded.key(), loaded.chain(), file.toString());
    }

    /**
     * Uses a key and chain the application already has.
     *
     * @param privateKey the private key
     * @param chain the certificates, leaf first
     * @return the checked key material
     * @throws TlsException if the key does not match the certificate, or a certificate is not valid now
     */
    public static KeyMaterial of(PrivateKey privateKey, List<X509Certificate> chain) throws TlsException {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(chain, "chain");
        CertificateChecks.check(privateKey, chain, null, null, Instant.now());
        return new KeyMaterial(privateKey, chain, CertificateChecks.subject(chain.get(0)));
    }

    /**
     * Wraps material this module made itself and knows to be consistent, without checking it again.
     */
    static KeyMaterial trusted(PrivateKey privateKey, List<X509Certificate> chain, String source) {
        return new KeyMaterial(privateKey, chain, source);
    }

    /**
     * The private key.
     *
     * @return the key
     */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /**
     * The certificate chain, leaf first.
     *
     * @return an unmodifiable list of at least one certificate
     */
    public List<X509Certificate> chain() {
        return chain;
    }

    /**
     * The leaf certificate: the one the key belongs to.
     *
     * @return the first certificate of the chain
     */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /**
     * When the leaf certificate expires.
     *
     * @return the leaf's not-after time
     */
    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    /**
     * Where the material came from, for messages: the files, or the certificate's subject.
     *
     * @return a description
     */
    public String source() {
        return source;
    }

    /**
     * The chain as PEM text, leaf first.
     *
     * @return {@code CERTIFICATE} blocks
     */
    public String chainPem() {
        return PemWriter.certificates(chain);
    }

    /**
     * The private key as unencrypted PKCS#8 PEM text. Handle it as the secret it is.
     *
     * @return one {@code PRIVATE KEY} block
     */
    public String privateKeyPem() {
        return PemWriter.privateKey(privateKey);
    }

    /**
     * Writes the chain and the unencrypted key as PEM files, each replaced atomically (a reader sees the old file or
     * the new one, never half of one). Where the file system has POSIX permissions the key file is readable by its
     * owner only.
     *
     * @param chainFile where to write the chain
     * @param keyFile where to write the key
     * @throws IOException if a file cannot be written
     */
    public void writePem(Path chainFile, Path keyFile) throws IOException {
        PemWriter.write(chainFile, chainPem(), false);
        PemWriter.write(keyFile, privateKeyPem(), true);
    }

    @Override
    public String toString() {
        return "KeyMaterial[" + CertificateChecks.subject(certificate()) + ", expires " + notAfter() + ", from "
                + source + "]";
    }
}
