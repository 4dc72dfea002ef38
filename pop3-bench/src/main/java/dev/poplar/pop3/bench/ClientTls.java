package dev.poplar.pop3.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The load generator's TLS client context. One context is shared by every connection of a run, so that its
 * session cache lets servers that allow it resume TLS sessions.
 */
final class ClientTls {

    private ClientTls() {
    }

    /**
     * A client context that trusts exactly the certificates in a PEM file (the fixture's self-signed
     * certificate). Host names are not checked: every target listens on loopback under the same certificate.
     *
     * @throws IOException if the file cannot be read or holds no certificate
     */
    static SSLContext trusting(Path pemCertificates) throws IOException {
        try (InputStream in = Files.newInputStream(pemCertificates)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IOException("no certificate in " + pemCertificates);
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("fixture-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a TLS client trusting " + pemCertificates + ": " + e.getMessage(), e);
        }
    }
}
