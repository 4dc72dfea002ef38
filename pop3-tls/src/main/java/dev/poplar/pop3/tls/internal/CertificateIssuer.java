package dev.poplar.pop3.tls.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.io.IOException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * Issues X.509 certificates, signed with SHA-256 and ECDSA or RSA, or with Ed25519, as the issuer's key requires.
 * New keys are EC P-256 (fast to generate, unlike RSA). EC keys and ECDSA signatures use Bouncy Castle's lightweight
 * implementation, without any provider (a provider instance takes far longer to create than a certificate); keys
 * come out as JDK key objects. Stateless.
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
     * Generates an EC P-256 key pair with Bouncy Castle's lightweight implementation (several times faster than the
     * JDK's on Java 17), returned as JDK key objects.
     *
     * @param random the randomness
     * @return the pair
     */
    public static KeyPair ecKeyPair(SecureRandom random) {
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(p256(), random));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        try {
            KeyFactory factory = KeyFactory.getInstance("EC");
            return new KeyPair(
                    factory.generatePublic(new X509EncodedKeySpec(
                            SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pair.getPublic()).getEncoded())),
                    factory.generatePrivate(new PKCS8EncodedKeySpec(
                            PrivateKeyInfoFactory.createPrivateKeyInfo(pair.getPrivate()).getEncoded())));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("an EC P-256 key cannot be converted: " + e.getMessage(), e);
        }
    }

    private static ECNamedDomainParameters p256() {
        return new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1,
                CustomNamedCurves.getByOID(SECObjectIdentifiers.secp256r1));
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException, IOException {
        if (key.getAlgorithm().equals("EC")) {
            AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
            return new BcECContentSignerBuilder(signature, digest).build(PrivateKeyFactory.createKey(key.getEncoded()));
        }
        return new JcaContentSignerBuilder(key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "Ed25519")
                .build(key);
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
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer(issuerKeys.getPrivate())));
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("a certificate cannot be issued: " + e.getMessage(), e);
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
