package dev.poplar.pop3.tls.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * Issues X.509 certificates, signed with SHA-256 and ECDSA or RSA, or with Ed25519, as the issuer's key requires;
 * new keys are EC P-256 (fast to generate, unlike RSA). The JDK's providers make keys and signatures; Bouncy Castle
 * only builds the certificate structure. Stateless.
 */
public final class CertificateIssuer {

    private CertificateIssuer() {
    }

    /**
     * What a certificate is for.
     */
    public enum Purpose {
        /** A certificate authority that signs leaves. */
        AUTHORITY,
        /** A TLS server. */
        SERVER,
        /** A TLS client. */
        CLIENT
    }

    /**
     * Generates an EC P-256 key pair.
     *
     * @param random the randomness
     * @return the pair
     */
    public static KeyPair ecKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate EC P-256 keys: " + e.getMessage(), e);
        }
    }

    /**
     * Issues a certificate.
     *
     * @param subject the subject's name
     * @param subjectKeys the subject's key pair (only its public key goes into the certificate)
     * @param issuer the issuer's certificate, or {@code null} for a self-signed one
     * @param issuerKeys the issuer's key pair (the subject's own for self-signed)
     * @param purpose what the certificate is for
     * @param names DNS names and IP literals for the subject alternative name (server and client leaves)
     * @param notBefore start of validity
     * @param notAfter end of validity
     * @param random the randomness for the serial number
     * @return the certificate
     */
    public static X509Certificate issue(X500Name subject, KeyPair subjectKeys, X509Certificate issuer,
            KeyPair issuerKeys, Purpose purpose, List<String> names, Instant notBefore, Instant notAfter,
            SecureRandom random) {
        try {
            X500Name issuerName = issuer == null ? subject : X500Name.getInstance(
                    issuer.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    new BigInteger(127, random).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter),
                    subject, subjectKeys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, issuer == null
                    ? utils.createAuthorityKeyIdentifier(subjectKeys.getPublic())
                    : utils.createAuthorityKeyIdentifier(issuer));
            if (purpose == Purpose.AUTHORITY) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        purpose == Purpose.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
                if (!names.isEmpty()) {
                    GeneralName[] alternatives = names.stream().map(CertificateIssuer::generalName)
                            .toArray(GeneralName[]::new);
                    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
                }
            }
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(issuerKeys.getPrivate()))
                    .build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("a certificate cannot be issued: " + e.getMessage(), e);
        }
    }

    private static String signatureAlgorithm(java.security.PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
                return "SHA256withECDSA";
            default:
                return "Ed25519";
        }
    }

    /**
     * Whether a name is an IP address literal (IPv4 or IPv6), without any lookup.
     *
     * @param name the name
     * @return {@code true} for an IP literal
     */
    public static boolean isIpLiteral(String name) {
        return IPAddress.isValid(name);
    }

    private static GeneralName generalName(String name) {
        return isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, name)
                : new GeneralName(GeneralName.dNSName, name);
    }
}
