package dev.poplar.pop3.testkit.internal;

import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsException;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The TLS material of one test server, made when first asked for: a development CA of its own, a server certificate
 * for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, a client context trusting only that CA, and, on request,
 * the CA as a PEM file (deleted by {@link #close()}). Thread-safe.
 *
 * <p>This is the only class of the test kit that uses pop3-tls (and so Bouncy Castle), an optional dependency: it is
 * created only for servers with TLS, after {@link TlsSupport#require(String)}.
 */
public final class TestCertificates implements Supplier<SSLContext>, AutoCloseable {

    private DevCertificateAuthority ca;
    private ServerTls server;
    private SSLContext client;
    private Path pemFile;

    /**
     * The server context, creating the CA on first use.
     *
     * @return the context
     */
    @Override
    public synchronized SSLContext get() {
        return serverTls().sslContext();
    }

    private ServerTls serverTls() {
        if (server == null) {
            try {
                server = ServerTls.builder().keyMaterial(authority().issue()).build();
            } catch (TlsException e) {
                throw new IllegalStateException("the test server's TLS context cannot be made", e);
            }
        }
        return server;
    }

    /** @return the CA of this server, made on first call */
    synchronized DevCertificateAuthority authority() {
        if (ca == null) {
            ca = DevCertificateAuthority.create();
        }
        return ca;
    }

    /**
     * The CA certificate.
     *
     * @return one PEM {@code CERTIFICATE} block
     */
    public synchronized String caPem() {
        return authority().caPem();
    }

    /**
     * A client context trusting this CA only, with host name verification.
     *
     * @return the same context on every call
     */
    public synchronized SSLContext client() {
        if (client == null) {
            client = authority().clientSslContext();
        }
        return client;
    }

    /**
     * The CA certificate as a PEM file, written on first call.
     *
     * @return the file
     * @throws UncheckedIOException if it cannot be written
     */
    public synchronized Path pemFile() {
        if (pemFile == null) {
            try {
                Path file = Files.createTempFile("poplar-test-ca-", ".pem");
                authority().writeCaPem(file);
                pemFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the test CA to a temporary file", e);
            }
        }
        return pemFile;
    }

    /** Deletes the PEM file, if one was written. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
        }
        if (pemFile != null) {
            try {
                Files.deleteIfExists(pemFile);
            } catch (IOException e) {
                pemFile.toFile().deleteOnExit();
            }
        }
    }
}
