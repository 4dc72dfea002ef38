package dev.poplar.pop3.tls.internal;

import dev.poplar.pop3.tls.TlsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads certificates and private keys from PEM files (as Let's Encrypt, OpenSSL and most tools write them) and from
 * PKCS#12 files. Every failure becomes a {@link TlsException} whose message starts with the file and says what is
 * wrong with it. Keys come out as objects of the JDK's own providers. Encrypted keys are decrypted with a private
 * Bouncy Castle provider instance (OpenSSL's schemes need it), created only for them and never installed.
 *
 * <p>Stateless; safe from any thread.
 */
public final class MaterialReader {

    /** Larger files are refused before parsing: no certificate chain or key comes near this. */
    static final long MAX_FILE_SIZE = 8L * 1024 * 1024;

    private MaterialReader() {
    }

    /**
     * A private key and its certificate chain, as read from files.
     *
     * @param key the private key
     * @param chain the chain, leaf first, as the file holds it
     */
    public record Loaded(PrivateKey key, List<X509Certificate> chain) {
    }

    /**
     * Creates an exception whose message starts with the file.
     *
     * @param file the file at fault
     * @param problem what is wrong with it
     * @param cause the underlying failure, or {@code null}
     * @return the exception
     */
    public static TlsException problem(Path file, String problem, Throwable cause) {
        return new TlsException(file, file + ": " + problem, cause);
    }

    /**
     * Reads every certificate from a PEM file, in file order.
     *
     * @param file the PEM file
     * @return the certificates, at least one
     * @throws TlsException if the file cannot be read, is not PEM, or holds no certificate
     */
    public static List<X509Certificate> certificates(Path file) throws TlsException {
        List<Object> objects = pemObjects(file);
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : objects) {
            if (object instanceof X509CertificateHolder) {
                try {
                    certificates.add(converter.getCertificate((X509CertificateHolder) object));
                } catch (CertificateException e) {
                    throw problem(file, "certificate " + (certificates.size() + 1) + " cannot be decoded ("
                            + e.getMessage() + ")", e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw problem(file, "no certificate found; expected PEM blocks '-----BEGIN CERTIFICATE-----'"
                    + found(objects), null);
        }
        return List.copyOf(certificates);
    }

    /**
     * Reads the first private key from a PEM file: PKCS#1 ({@code RSA PRIVATE KEY}), SEC 1 ({@code EC PRIVATE
     * KEY}), PKCS#8 ({@code PRIVATE KEY}), encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}) or an OpenSSL-encrypted
     * PKCS#1/SEC 1 key.
     *
     * @param file the PEM file
     * @param password the password of an encrypted key, or {@code null}
     * @return the key
     * @throws TlsException if the file cannot be read, holds no key, or the password is missing or wrong
     */
    public static PrivateKey privateKey(Path file, char[] password) throws TlsException {
        List<Object> objects = pemObjects(file);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object object : objects) {
            try {
                if (object instanceof PEMKeyPair) {
                    return converter.getPrivateKey(((PEMKeyPair) object).getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo) {
                    return converter.getPrivateKey((PrivateKeyInfo) object);
                }
                if (object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    requirePassword(file, password);
                    return converter.getPrivateKey(decrypt(file, (PKCS8EncryptedPrivateKeyInfo) object, password));
                }
                if (object instanceof PEMEncryptedKeyPair) {
                    requirePassword(file, password);
                    return converter.getPrivateKey(((PEMEncryptedKeyPair) object).decryptKeyPair(
                            new JcePEMDecryptorProviderBuilder().setProvider(new BouncyCastleProvider())
                                    .build(password)).getPrivateKeyInfo());
                }
            } catch (IOException e) {
                throw problem(file, password == null
                        ? "the private key cannot be decoded (" + e.getMessage() + ")"
                        : "wrong password, or the private key is damaged (" + e.getMessage() + ")", e);
            }
        }
        throw problem(file, "no private key found; expected a PEM block such as '-----BEGIN PRIVATE KEY-----'"
                + found(objects), null);
    }

    private static void requirePassword(Path file, char[] password) throws TlsException {
        if (password == null) {
            throw problem(file, "the private key is encrypted but no password was given", null);
        }
    }

    private static PrivateKeyInfo decrypt(Path file, PKCS8EncryptedPrivateKeyInfo encrypted, char[] password)
            throws TlsException {
        try {
            return encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(new BouncyCastleProvider()).build(password));
        } catch (PKCSException | RuntimeException e) {
            throw problem(file, "wrong password, or the encrypted private key is damaged", e);
        } catch (OperatorCreationException e) {
            throw problem(file, "the private key is encrypted with an unsupported scheme ("
                    + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads the first key entry of a PKCS#12 file.
     *
     * @param file the PKCS#12 file
     * @param password the file's password (empty for none)
     * @return the key and its chain
     * @throws TlsException if the file cannot be read, is not PKCS#12, the password is wrong, or it has no key
     */
    public static Loaded pkcs12(Path file, char[] password) throws TlsException {
        checkSize(file);
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw unreadable(file, e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw problem(file, "wrong password", e);
            }
            throw problem(file, "not a readable PKCS#12 file (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw problem(file, "not a readable PKCS#12 file (" + e.getMessage() + ")", e);
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    PrivateKey key = (PrivateKey) store.getKey(alias, password);
                    Certificate[] chain = store.getCertificateChain(alias);
                    if (chain == null || chain.length == 0) {
                        throw problem(file, "the key entry '" + alias + "' has no certificate chain", null);
                    }
                    List<X509Certificate> certificates = new ArrayList<>();
                    for (Certificate c : chain) {
                        certificates.add((X509Certificate) c);
                    }
                    return new Loaded(key, List.copyOf(certificates));
                }
            }
        } catch (UnrecoverableKeyException e) {
            throw problem(file, "wrong password for the private key", e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw problem(file, "the key entry cannot be read (" + e.getMessage() + ")", e);
        }
        throw problem(file, "holds no private key entry (only certificates)", null);
    }

    private static List<Object> pemObjects(Path file) throws TlsException {
        checkSize(file);
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw unreadable(file, e);
        } catch (IOException | RuntimeException e) {
            throw problem(file, "not valid PEM (" + e.getMessage() + ")", e);
        }
        return objects;
    }

    private static void checkSize(Path file) throws TlsException {
        try {
            if (Files.isDirectory(file)) {
                throw problem(file, "is a directory, not a file", null);
            }
            long size = Files.size(file);
            if (size > MAX_FILE_SIZE) {
                throw problem(file, "too large (" + size + " bytes) to hold certificates or a key", null);
            }
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static TlsException unreadable(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return problem(file, "file does not exist", e);
        }
        if (e instanceof AccessDeniedException) {
            return problem(file, "cannot be read (permission denied)", e);
        }
        return problem(file, "cannot be read (" + e + ")", e);
    }

    private static String found(List<Object> objects) {
        if (objects.isEmpty()) {
            return ", but the file holds no PEM block at all";
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (Object object : objects) {
            counts.merge(describe(object), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((what, n) -> parts.add(n + " " + what));
        return ", but the file holds " + String.join(", ", parts);
    }

    private static String describe(Object object) {
        if (object instanceof X509CertificateHolder) {
            return "certificate(s)";
        }
        if (object instanceof PEMKeyPair || object instanceof PrivateKeyInfo
                || object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
            return "private key(s)";
        }
        return object instanceof SubjectPublicKeyInfo ? "public key(s)" : "other block(s)";
    }
}
