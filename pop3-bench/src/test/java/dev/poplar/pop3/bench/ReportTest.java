package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    private final Metric sessions = Metric.sessions(null, 16);
    private final Metric listing = Metric.listing(10_000);

    private TargetResults target(String name, double sessionsPerSecond, double listingMillis) {
        TargetResults t = new TargetResults(name);
        for (double v : List.of(sessionsPerSecond * 0.9, sessionsPerSecond, sessionsPerSecond * 1.1)) {
            t.measurement(sessions).add(v);
        }
        t.measurement(listing).add(listingMillis);
        return t;
    }

    @Test
    void ratiosAreTheSubjectsMedianOverThePeers() {
        Report report = new Report(Map.of("mode", "test"),
                List.of(target("poplar", 2000, 40), target("dovecot", 1000, 80), target("canned", 5000, 4)),
                "poplar", 0.8);

        assertThat(report.ratio("dovecot", sessions.id())).isEqualTo(2.0);
        assertThat(report.ratio("dovecot", listing.id())).isEqualTo(0.5);
        assertThat(report.markdown()).contains("| poplar / dovecot | poplar / canned |")
                .contains("| 2,000 (1,800 to 2,200) | 1,000 (900 to 1,100) | 5,000 (4,500 to 5,500) | 2.00 | 0.40 |");
    }

    @Test
    void figuresNearTheGeneratorsCeilingAreFlaggedInBothDirections() {
        TargetResults fast = target("greenmail", 4500, 4.5);
        TargetResults slow = target("dovecot", 1000, 80);
        Report report = new Report(Map.of(), List.of(fast, slow, target("canned", 5000, 4)), "poplar", 0.8);

        assertThat(report.nearCeiling(fast, fast.get(sessions.id()))).isTrue();
        assertThat(report.nearCeiling(fast, fast.get(listing.id()))).isTrue();
        assertThat(report.nearCeiling(slow, slow.get(sessions.id()))).isFalse();
        assertThat(report.nearCeiling(slow, slow.get(listing.id()))).isFalse();
        assertThat(report.markdown()).contains("4,500 (4,050 to 4,950) *");
    }

    @Test
    void theCpuSplitIsATableOfGeneratorAndServerCoresPerLoad() {
        TargetResults poplar = target("poplar", 2000, 40);
        poplar.measurement(sessions).cpu(0.4, 1.5);
        poplar.measurement(sessions).cpu(0.2, 1.1);
        poplar.measurement(sessions).cpu(0.3, 1.3);
        TargetResults canned = target("canned", 5000, 4);
        canned.measurement(sessions).cpu(1.2, 0.6);
        Report report = new Report(Map.of(), List.of(poplar, canned), "poplar", 0.8);

        assertThat(report.markdown()).contains("`generator / server`")
                .contains("| load | poplar | canned |")
                .contains("| sessions/s plain, 16 clients | 0.30 / 1.30 | 1.20 / 0.60 |")
                .doesNotContain("| login to complete UIDL + LIST, 10000 messages | —");
        assertThat(report.json()).contains("\"generatorCores\": 0.3").contains("\"serverCores\": 1.3");
    }

    @Test
    void theServersCpuPerSessionIsEachRunsCoresOverItsRateWithThePeersCostOverTheSubjects() {
        TargetResults poplar = target("poplar", 2000, 40);
        // 1,800, 2,000 and 2,200 sessions/s: 500, 600 and 500 µs per session; median 500.
        poplar.measurement(sessions).cpu(0.3, 0.9);
        poplar.measurement(sessions).cpu(0.3, 1.2);
        poplar.measurement(sessions).cpu(0.3, 1.1);
        TargetResults james = target("james", 1000, 80);
        // 900, 1,000 and 1,100 sessions/s: 1,500 µs per session in every run.
        james.measurement(sessions).cpu(0.2, 1.35);
        james.measurement(sessions).cpu(0.2, 1.5);
        james.measurement(sessions).cpu(0.2, 1.65);
        TargetResults unmeasured = target("greenmail", 1500, 50);
        for (int run = 0; run < 3; run++) {
            unmeasured.measurement(sessions).cpu(0.1, 0.0);
        }
        Report report = new Report(Map.of(), List.of(poplar, james, unmeasured), "poplar", 0.8);

        assertThat(Report.serverMicrosPerUnit(poplar.get(sessions.id()))).isCloseTo(500.0, within(1e-6));
        assertThat(Report.serverMicrosPerUnit(poplar.get(listing.id()))).isNull();
        assertThat(Report.serverMicrosPerUnit(unmeasured.get(sessions.id()))).isNull();
        assertThat(report.markdown())
                .contains("| load | per | poplar | james | greenmail | james / poplar | greenmail / poplar |")
                .contains("| sessions/s plain, 16 clients | session | 500 | 1,500 | — | 3.00 | — |")
                .doesNotContain("| login to complete UIDL + LIST, 10000 messages | per");
        assertThat(report.json()).contains("\"serverMicrosPerUnit\": 1500");
    }

    @Test
    void aCrossCheckByAnotherGeneratorHasItsOwnRowAndId() {
        Metric crossCheck = Metric.sessions(TlsKey.ECDSA, 64).by("java");

        assertThat(crossCheck.id()).isEqualTo("sessions.tls-ecdsa.c64.java");
        assertThat(crossCheck.label()).isEqualTo("sessions/s implicit TLS, ECDSA P-256, 64 clients [java generator]");
        assertThat(Metric.sessions(TlsKey.RSA, 1).id()).isEqualTo("sessions.tls.c1");
    }

    @Test
    void jsonCarriesEveryValueFailureAndRatio() {
        TargetResults poplar = target("poplar", 2000, 40);
        poplar.measurement(listing).fail("1 of 3 \"runs\" failed");
        Report report = new Report(Map.of("mode", "test"), List.of(poplar, target("dovecot", 1000, 80)), "poplar",
                0.8);

        String json = report.json();

        assertThat(json).contains("\"sessions.plain.c16\": {")
                .contains("\"values\": [\n")
                .contains("1800.0,")
                .contains("\"1 of 3 \\\"runs\\\" failed\"")
                .contains("\"poplar/dovecot\": {")
                .contains("\"listing.10000\": 0.5");
    }
}
