package dev.poplar.pop3.audit;

import dev.poplar.pop3.tls.CertificateExpiryWarning;
import dev.poplar.pop3.tls.KeyMaterial;
import dev.poplar.pop3.tls.TlsException;
import dev.poplar.pop3.tls.TlsObserver;

import javax.security.auth.x500.X500Principal;
import java.util.Objects;

/**
 * Writes what happens to a {@code ServerTls}'s certificate to an {@link AuditTrail}: {@code tls.certificate.loaded}
 * ({@code subject}, {@code not_after}, {@code source}) at start and at each reload, {@code tls.certificate.expiring}
 * ({@code subject}, {@code not_after}, {@code days_left}, {@code source}) while it expires within the warning
 * threshold, and {@code tls.certificate.reload_failed} ({@code problem}) when changed files cannot be used. Needs
 * {@code pop3-tls}:
 * <pre>{@code
 * AuditTrail audit = AuditTrail.create();
 * ServerTls tls = ServerTls.builder().pemFiles(chain, key).observer(new AuditTlsObserver(audit)).build();
 * }</pre>
 * Thread-safe.
 */
public final class AuditTlsObserver implements TlsObserver {

    private final AuditTrail audit;

    /**
     * Creates the listener.
     *
     * @param audit where the records go
     */
    public AuditTlsObserver(AuditTrail audit) {
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    @Override
    public void certificateLoaded(KeyMaterial material) {
        audit.write("tls.certificate.loaded", json -> {
            audit.text(json, "subject", material.certificate().getSubjectX500Principal()
                    .getName(X500Principal.RFC2253));
            json.writeStringField("not_after", material.notAfter().toString());
            audit.text(json, "source", material.source());
        });
    }

    @Override
    public void certificateExpiring(CertificateExpiryWarning warning) {
        audit.write("tls.certificate.expiring", json -> {
            audit.text(json, "subject", warning.subject());
            json.writeStringField("not_after", warning.notAfter().toString());
            json.writeNumberField("days_left", warning.daysLeft());
            audit.text(json, "source", warning.source());
        });
    }

    @Override
    public void reloadFailed(TlsException problem) {
        audit.write("tls.certificate.reload_failed", json -> audit.text(json, "problem",
                String.valueOf(problem.getMessage())));
    }
}
