package dev.poplar.pop3.server.internal.sasl;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * The {@code tls-server-end-point} channel binding (RFC 5929 section 4): the hash of the server's certificate, so
 * that a {@code SCRAM-*-PLUS} exchange proves both ends see the same TLS server. The Java 17 TLS engine exports no
 * keying material, so {@code tls-exporter} (RFC 9266) is not offered.
 */
public final class ChannelBinding {

    private ChannelBinding() {
    }

    /**
     * The binding of a TLS connection.
     *
     * @param localCertificates the certificates the server sent, its own first (the TLS session's local ones)
     * @return the binding, or {@code null} if there is none: no certificate, or one whose signature names no hash
     *     RFC 5929 can use (EdDSA, RSASSA-PSS)
     */
    public static byte[] tlsServerEndPoint(Certificate[] localCertificates) {
        if (localCertificates == null || localCertificates.length == 0
                || !(localCertificates[0] instanceof X509Certificate certificate)) {
            return null;
        }
        String hash = hashOf(certificate.getSigAlgName());
        if (hash == null) {
            return null;
        }
        try {
            return MessageDigest.getInstance(hash).digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return null;
        }
    }

    /** RFC 5929 section 4.1: the signature's hash, but SHA-256 for MD5 and SHA-1. */
    private static String hashOf(String signatureAlgorithm) {
        String name = signatureAlgorithm.toUpperCase(Locale.ROOT);
        int with = name.indexOf("WITH");
        if (with < 0) {
            return null;
        }
        return switch (name.substring(0, with)) {
            case "MD5", "SHA1", "SHA-1", "SHA256", "SHA-256" -> "SHA-256";
            case "SHA384", "SHA-384" -> "SHA-384";
            case "SHA512", "SHA-512" -> "SHA-512";
            default -> null;
        };
    }
}
