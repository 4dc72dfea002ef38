package dev.poplar.pop3.tls.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** Writes certificates and keys as PEM text (RFC 7468), and PEM files atomically. Stateless. */
public final class PemWriter {

    private PemWriter() {
    }

    /**
     * Encodes certificates.
     *
     * @param certificates the certificates
     * @return one {@code CERTIFICATE} block each, in order
     */
    public static String certificates(List<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                block(pem, "CERTIFICATE", certificate.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("certificate cannot be encoded: " + e.getMessage(), e);
            }
        }
        return pem.toString();
    }

    /**
     * Encodes a private key as unencrypted PKCS#8.
     *
     * @param key the key
     * @return one {@code PRIVATE KEY} block
     */
    public static String privateKey(PrivateKey key) {
        return block(new StringBuilder(), "PRIVATE KEY", key.getEncoded()).toString();
    }

    private static StringBuilder block(StringBuilder pem, String type, byte[] der) {
        pem.append("-----BEGIN ").append(type).append("-----\n");
        pem.append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)).append('\n');
        pem.append("-----END ").append(type).append("-----\n");
        return pem;
    }

    /**
     * Replaces a file atomically with text: writes a temporary file beside it, then moves it into place.
     *
     * @param file the file
     * @param text the new content
     * @param ownerOnly whether the file must be readable by its owner only (where POSIX permissions exist)
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, String text, boolean ownerOnly) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path temp = ownerOnly && posix
                ? Files.createTempFile(dir, ".poplar-", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".poplar-", ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
