package dev.poplar.pop3.tls;

import static dev.poplar.pop3.tls.RecordingListener.take;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpiryWarningTest {

    private final DevCertificateAuthority ca = DevCertificateAuthority.create();
    private final RecordingListener events = new RecordingListener();

    @Test
    void aCertificateExpiringWithinTheDefaultThresholdIsReportedAtLoad() throws Exception {
        KeyMaterial soon = ca.issue(Duration.ofDays(5), "soon.test");
        try (ServerTls tls = ServerTls.builder().keyMaterial(soon).observer(events).build()) {
            CertificateExpiryWarning warning = events.expiring.poll();
            assertThat(warning).isNotNull();
            assertThat(warning.subject()).isEqualTo("CN=soon.test");
            assertThat(warning.notAfter()).isEqualTo(soon.notAfter());
            assertThat(warning.daysLeft()).isBetween(4L, 5L);
            assertThat(warning.source()).isEqualTo(soon.source());
        }
    }

    @Test
    void aCertificateExpiringLaterIsNotReported() throws Exception {
        try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue(Duration.ofDays(60))).observer(events)
                .build()) {
            assertThat(events.loaded).hasSize(1);
            assertThat(events.expiring).isEmpty();
        }
    }

    @Test
    void theThresholdIsConfigurable() throws Exception {
        try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue(Duration.ofDays(60))).expiryWarningDays(90)
                .observer(events).build()) {
            assertThat(events.expiring.poll()).extracting(CertificateExpiryWarning::daysLeft)
                    .isIn(59L, 60L);
        }
        try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue(Duration.ofDays(5))).expiryWarningDays(3)
                .observer(events).build()) {
            assertThat(events.expiring).isEmpty();
        }
    }

    @Test
    void aReloadedCertificateIsCheckedToo(@TempDir Path dir) throws Exception {
        Path chain = dir.resolve("fullchain.pem");
        Path key = dir.resolve("privkey.pem");
        ca.issue(Duration.ofDays(80)).writePem(chain, key);
        try (ServerTls tls = ServerTls.builder().pemFiles(chain, key).reloadInterval(Duration.ofMillis(20))
                .observer(events).build()) {
            assertThat(events.expiring).isEmpty();
            ca.issue(Duration.ofDays(2), "renewed-badly.test").writePem(chain, key);
            assertThat(take(events.expiring, "expiry warning").subject()).isEqualTo("CN=renewed-badly.test");
        }
    }
}
