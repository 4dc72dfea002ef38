package dev.poplar.pop3.tls.internal;

import dev.poplar.pop3.tls.TlsException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that a private key and a certificate chain can serve TLS: a supported key algorithm, a key that matches the
 * leaf certificate, and certificates valid now. Stateless.
 */
public final class CertificateChecks {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateChecks.class);

    /** RSA keys shorter than this are refused. */
    static final int MIN_RSA_BITS = 2048;

    private CertificateChecks() {
    }

    /**
     * Checks key and chain.
     *
     * @param key the private key
     * @param chain the chain, leaf first
     * @param keySource the file the key came from, or {@code null}
     * @param chainSource the file the chain came from, or {@code null}
     * @param now the current time
     * @throws TlsException naming the file and the problem
     */
    public static void check(PrivateKey key, List<X509Certificate> chain, Path keySource, Path chainSource,
            Instant now) throws TlsException {
        if (chain.isEmpty()) {
            throw fail(chainSource, "the certificate chain is empty");
        }
        X509Certificate leaf = chain.get(0);
        String algorithm = signatureAlgorithm(key, keySource);
        if (!matches(key, leaf.getPublicKey(), algorithm)) {
            throw fail(keySource, "the private key does not match the certificate " + subject(leaf)
                    + (chainSource == null ? "" : " in " + chainSource));
        }
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            String which = i == 0 ? "the certificate " : "chain certificate " + (i + 1) + " ";
            if (now.isAfter(c.getNotAfter().toInstant())) {
                throw fail(chainSource, which + subject(c) + " expired on " + c.getNotAfter().toInstant());
            }
            if (now.isBefore(c.getNotBefore().toInstant())) {
                throw fail(chainSource, which + subject(c) + " is not valid before "
                        + c.getNotBefore().toInstant());
            }
            if (i > 0 && !chain.get(i - 1).getIssuerX500Principal().equals(c.getSubjectX500Principal())) {
                LOG.warn("{}: chain certificate {} ({}) did not issue the certificate before it ({}); "
                        + "clients may fail to build the chain", where(chainSource), i + 1, subject(c),
                        subject(chain.get(i - 1)));
            }
        }
    }

    /**
     * The subject of a certificate, for messages.
     *
     * @param certificate the certificate
     * @return its subject as an RFC 2253 name
     */
    public static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    private static String where(Path file) {
        return file == null ? "certificate chain" : file.toString();
    }

    private static TlsException fail(Path file, String problem) {
        return file == null ? new TlsException(problem) : MaterialReader.problem(file, problem, null);
    }

    private static String signatureAlgorithm(PrivateKey key, Path keySource) throws TlsException {
        String algorithm = key.getAlgorithm().toUpperCase(Locale.ROOT);
        switch (algorithm) {
            case "RSA":
                if (key instanceof RSAKey && ((RSAKey) key).getModulus().bitLength() < MIN_RSA_BITS) {
                    throw fail(keySource, "the RSA key has " + ((RSAKey) key).getModulus().bitLength()
                            + " bits; at least " + MIN_RSA_BITS + " are needed");
                }
                return "SHA256withRSA";
            case "EC":
            case "ECDSA":
                return "SHA256withECDSA";
            case "ED25519":
            case "ED448":
                return key.getAlgorithm();
            case "EDDSA":
                return "EdDSA";
            default:
                throw fail(keySource, "the key algorithm " + key.getAlgorithm()
                        + " is not supported; use an RSA, EC or Ed25519 key");
        }
    }

    private static boolean matches(PrivateKey key, PublicKey publicKey, String algorithm) {
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(nonce);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
