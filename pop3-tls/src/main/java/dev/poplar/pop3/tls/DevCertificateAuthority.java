package dev.poplar.pop3.tls;

import dev.poplar.pop3.tls.internal.CertificateIssuer;
import dev.poplar.pop3.tls.internal.CertificateIssuer.Purpose;
import dev.poplar.pop3.tls.internal.PemWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * A certificate authority made in memory for development and tests: each instance has its own EC P-256 key and
 * self-signed certificate (valid one year), issues server certificates for {@code localhost}, {@code 127.0.0.1} and
 * {@code ::1} plus any names asked for, and client certificates. Nothing is written to disk unless asked for, and
 * clients trust it only through {@link #clientSslContext()} or its exported PEM.
 *
 * <p>Generation takes milliseconds. Never use it in production: its key lives in this process's memory only.
 * Thread-safe.
 *
 * <pre>{@code
 * DevCertificateAuthority ca = DevCertificateAuthority.create();
 * ServerTls serverTls = ServerTls.builder().keyMaterial(ca.issue("mail.test")).build();
 * SSLContext client = ca.clientSslContext();   // trusts this CA only
 * }</pre>
 */
public final class DevCertificateAuthority {

    /** How long the authority's own certificate is valid. */
    public static final Duration AUTHORITY_VALIDITY = Duration.ofDays(365);

    /** How long issued certificates are valid unless asked otherwise. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(90);

    private static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1", "::1");
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final SecureRandom random;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private DevCertificateAuthority(SecureRandom random, KeyPair keys, X509Certificate certificate) {
        this.random = random;
        this.keys = keys;
        this.certificate = certificate;
    }

    /**
     * Creates a new authority with a fresh key, named {@code CN=Poplar Development CA <random hex>}.
     *
     * @return the authority
     */
    public static DevCertificateAuthority create() {
        SecureRandom random = new SecureRandom();
        byte[] id = new byte[6];
        random.nextBytes(id);
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Poplar development")
                .addRDN(BCStyle.CN, "Poplar Development CA " + HexFormat.of().formatHex(id))
                .build();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        KeyPair keys = CertificateIssuer.ecKeyPair(random);
        X509Certificate certificate = CertificateIssuer.issue(name, keys, null, keys, Purpose.AUTHORITY, List.of(),
                now.minus(CLOCK_SKEW), now.plus(AUTHORITY_VALIDITY), random);
        return new DevCertificateAuthority(random, keys, certificate);
    }

    /**
     * Issues a server certificate valid for {@link #DEFAULT_VALIDITY}, for {@code localhost}, {@code 127.0.0.1},
     * {@code ::1} and the given names.
     *
     * @param names more DNS names (wildcards such as {@code *.example.test} allowed) or IP literals
     * @return key material: a new EC P-256 key and the chain (the leaf, then this authority)
     * @throws IllegalArgumentException if a name is blank or contains whitespace
     */
    public KeyMaterial issue(String... names) {
        return issue(DEFAULT_VALIDITY, names);
    }

    /**
     * Issues a server certificate valid from now for the given time, for {@code localhost}, {@code 127.0.0.1},
     * {@code ::1} and the given names. A short validity is handy to test expiry warnings.
     *
     * @param validity how long the certificate is valid, positive and within the authority's own validity
     * @param names more DNS names or IP literals
     * @return key material: a new EC P-256 key and the chain (the leaf, then this authority)
     * @throws IllegalArgumentException if the validity is not positive or outlives the authority, or a name is
     *     blank or contains whitespace
     */
    public KeyMaterial issue(Duration validity, String... names) {
        Set<String> all = new LinkedHashSet<>();
        for (String name : names) {
            all.add(checkName(name));
        }
        all.addAll(LOCAL_NAMES);
        String commonName = names.length > 0 ? names[0] : "localhost";
        return issueLeaf(commonName, List.copyOf(all), validity, Purpose.SERVER);
    }

    /**
     * Issues a client certificate, for servers that ask clients to authenticate with one.
     *
     * @param commonName the client's name, put in the subject's CN
     * @return key material: a new EC P-256 key and the chain (the leaf, then this authority)
     * @throws IllegalArgumentException if the name is blank
     */
    public KeyMaterial issueClient(String commonName) {
        Objects.requireNonNull(commonName, "commonName");
        if (commonName.isBlank()) {
            throw new IllegalArgumentException("commonName must not be blank");
        }
        return issueLeaf(commonName, List.of(), DEFAULT_VALIDITY, Purpose.CLIENT);
    }

    private KeyMaterial issueLeaf(String commonName, List<String> names, Duration validity, Purpose purpose) {
        Objects.requireNonNull(validity, "validity");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = now.plus(validity);
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, not " + validity);
        }
        if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
            throw new IllegalArgumentException("validity " + validity + " outlives this authority, which expires on "
                    + certificate.getNotAfter().toInstant());
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        KeyPair leafKeys = CertificateIssuer.ecKeyPair(random);
        X509Certificate leaf = CertificateIssuer.issue(subject, leafKeys, certificate, keys, purpose, names,
                now.minus(CLOCK_SKEW), notAfter, random);
        return KeyMaterial.trusted(leafKeys.getPrivate(), List.of(leaf, certificate), "development CA");
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "names must not contain null");
        if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("not a host name or IP address: '" + name + "'");
        }
        return name;
    }

    /**
     * The authority's certificate: what clients must trust.
     *
     * @return the self-signed CA certificate
     */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * The authority's certificate as PEM, to give to clients (for example {@code openssl s_client -CAfile}).
     *
     * @return one {@code CERTIFICATE} block
     */
    public String caPem() {
        return PemWriter.certificates(List.of(certificate));
    }

    /**
     * Writes the authority's certificate as a PEM file (replaced atomically).
     *
     * @param file where to write
     * @throws IOException if the file cannot be written
     */
    public void writeCaPem(Path file) throws IOException {
        PemWriter.write(file, caPem(), false);
    }

    /**
     * A client context that trusts this authority only, checks the server's host name against its certificate, and
     * carries the same protocol policy as servers (TLS 1.3 and 1.2), on the JDK provider.
     *
     * @return a new client context
     */
    public SSLContext clientSslContext() {
        return clientTls().build();
    }

    /**
     * A client context like {@link #clientSslContext()} that also presents a client certificate.
     *
     * @param identity the client's key material, for example from {@link #issueClient(String)}
     * @return a new client context
     */
    public SSLContext clientSslContext(KeyMaterial identity) {
        return clientTls().identity(identity).build();
    }

    /**
     * A client builder already trusting this authority, to set more (provider, identity, post-quantum hybrid).
     *
     * @return a new builder
     */
    public ClientTls.Builder clientTls() {
        return ClientTls.builder().trustedCas(List.of(certificate));
    }

    @Override
    public String toString() {
        return "DevCertificateAuthority[" + certificate.getSubjectX500Principal().getName() + "]";
    }
}
