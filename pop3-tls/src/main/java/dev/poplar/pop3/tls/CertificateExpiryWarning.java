package dev.poplar.pop3.tls;

import java.time.Instant;
import java.util.Objects;

/**
 * The served certificate expires soon: within the warning threshold of the {@link ServerTls} that serves it.
 *
 * @param subject the certificate's subject, as an RFC 2253 name
 * @param notAfter when the certificate expires
 * @param daysLeft whole days from the check until {@code notAfter} (0 on the last day)
 * @param source where the certificate came from (files, or the subject for material given directly)
 */
public record CertificateExpiryWarning(String subject, Instant notAfter, long daysLeft, String source) {

    /**
     * Creates a warning.
     *
     * @param subject the certificate's subject
     * @param notAfter when the certificate expires
     * @param daysLeft whole days left
     * @param source where the certificate came from
     * @throws NullPointerException if {@code subject}, {@code notAfter} or {@code source} is {@code null}
     */
    public CertificateExpiryWarning {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(source, "source");
    }
}
