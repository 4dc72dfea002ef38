package dev.poplar.pop3.micrometer;

import dev.poplar.pop3.server.Pop3Event;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The meters of a real server under real clients, in a SimpleMeterRegistry. */
class Pop3MeterBinderTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Pop3MeterBinder binder = Pop3MeterBinder.create(registry, Tags.of("server", "test"));

    @Nested
    class ASessionOfJakartaMail {
        @Test
        void countsTheLoginCommandsRetrievalsStoreCallsAndTheEnd() throws Exception {
            try (ServerUnderTest server = new ServerUnderTest(binder, 10)) {
                server.downloadAndDeleteOne();
                server.await(Pop3Event.ConnectionClosed.class);
                assertThat(registry.get("pop3.logins").tags("mechanism", "USER", "outcome", "success").counter()
                        .count()).isEqualTo(1);
                assertThat(registry.get("pop3.commands").tags("verb", "RETR", "status", "ok").timer().count())
                        .isEqualTo(2);
                assertThat(registry.get("pop3.commands").tags("verb", "QUIT", "status", "ok").timer().count())
                        .isEqualTo(1);
                assertThat(registry.get("pop3.messages.retrieved").summary().count()).isEqualTo(2);
                assertThat(registry.get("pop3.messages.retrieved").summary().totalAmount())
                        .isEqualTo("Subject: one\r\n\r\nfirst\r\n".length() + "Subject: two\r\n\r\nsecond\r\n".length());
                assertThat(registry.get("pop3.messages.deleted").counter().count()).isEqualTo(1);
                assertThat(registry.get("pop3.store.calls").tags("operation", "open", "outcome", "success").timer()
                        .count()).isEqualTo(1);
                assertThat(registry.get("pop3.store.calls").tags("operation", "content", "outcome", "success")
                        .timer().count()).isEqualTo(2);
                assertThat(registry.get("pop3.store.calls").tags("operation", "update", "outcome", "success")
                        .timer().count()).isEqualTo(1);
                assertThat(registry.get("pop3.sessions").tags("end", "quit").timer().count()).isEqualTo(1);
                assertThat(registry.get("pop3.sessions").tags("end", "quit").timer().totalTime(TimeUnit.NANOSECONDS))
                        .isPositive();
            }
        }

        @Test
        void noTagCarriesAUserOrAnAddressAndEveryMeterCarriesTheCommonTags() throws Exception {
            try (ServerUnderTest server = new ServerUnderTest(binder, 10)) {
                server.downloadAndDeleteOne();
                server.await(Pop3Event.ConnectionClosed.class);
                for (Meter meter : registry.getMeters()) {
                    assertThat(meter.getId().getName()).startsWith("pop3.");
                    assertThat(meter.getId().getTags()).contains(Tag.of("server", "test"));
                    for (Tag tag : meter.getId().getTags()) {
                        assertThat(tag.getValue()).doesNotContain("alice", "127.0.0.1");
                    }
                }
            }
        }
    }

    @Nested
    class FailuresAndRefusals {
        @Test
        void aFailedLoginAndItsPenaltyAreCounted() throws Exception {
            try (ServerUnderTest server = new ServerUnderTest(binder, 10);
                 Socket client = new Socket(server.plain().getAddress(), server.plain().getPort())) {
                // The penalty holds back the attempt after a failure.
                ServerUnderTest.converse(client, "USER alice", "PASS wrong", "USER alice", "PASS again", "BOGUS");
                server.await(Pop3Event.PenaltyApplied.class);
                server.await(Pop3Event.CommandCompleted.class, c -> c.command().equals("BOGUS"));
                assertThat(registry.get("pop3.logins").tags("mechanism", "USER", "outcome", "credentials")
                        .counter().count()).isEqualTo(2);
                assertThat(registry.get("pop3.login.penalties").timer().count()).isEqualTo(1);
                assertThat(registry.get("pop3.login.penalties").timer().max(TimeUnit.MILLISECONDS))
                        .isBetween(1.0, 2000.0);
                assertThat(registry.get("pop3.commands").tags("verb", "PASS", "status", "err").timer().count())
                        .isEqualTo(2);
                assertThat(registry.get("pop3.commands").tags("verb", "UNKNOWN", "status", "err").timer().count())
                        .isEqualTo(1);
            }
        }

        @Test
        void aConnectionOverTheLimitIsCountedByReasonAndTheOpenOnesAreGauged() throws Exception {
            try (ServerUnderTest server = new ServerUnderTest(binder, 1);
                 Socket first = new Socket(server.plain().getAddress(), server.plain().getPort())) {
                ServerUnderTest.converse(first, "NOOP");
                assertThat(registry.get("pop3.connections.open").gauge().value()).isEqualTo(1);
                try (Socket second = new Socket(server.plain().getAddress(), server.plain().getPort())) {
                    assertThat(second.getInputStream().readAllBytes()).startsWith("-ERR".getBytes());
                }
                server.await(Pop3Event.ConnectionRefused.class);
                assertThat(registry.get("pop3.connections.refused").tags("reason", "too_many_connections").counter()
                        .count()).isEqualTo(1);
                assertThat(registry.get("pop3.connections.refused").tags("reason", "too_many_from_address")
                        .counter().count()).isZero();
            }
        }
    }

    @Nested
    class Tls {
        @Test
        void handshakesAreCountedByOutcomeAndProtocol() throws Exception {
            try (ServerUnderTest server = new ServerUnderTest(binder, 10)) {
                try (SSLSocket client = (SSLSocket) server.ca.clientSslContext().getSocketFactory()
                        .createSocket(server.implicitTls().getAddress(), server.implicitTls().getPort())) {
                    ServerUnderTest.converse(client, "QUIT");
                }
                String protocol = server.await(Pop3Event.TlsEstablished.class).protocol();
                try (Socket garbage = new Socket(server.implicitTls().getAddress(), server.implicitTls().getPort())) {
                    garbage.getOutputStream().write("USER alice\r\n".repeat(100).getBytes());
                    garbage.setSoTimeout(10_000);
                    garbage.getInputStream().readAllBytes();
                } catch (java.io.IOException reset) {
                    // The server may reset the connection after its alert.
                }
                server.await(Pop3Event.ConnectionClosed.class);
                server.await(Pop3Event.ConnectionClosed.class);
                assertThat(registry.get("pop3.tls.handshakes").tags("outcome", "success", "protocol", protocol)
                        .counter().count()).isEqualTo(1);
                assertThat(registry.get("pop3.tls.handshakes").tags("outcome", "failure").counter().count())
                        .isEqualTo(1);
                assertThat(registry.get("pop3.sessions").tags("end", "tls_failed").timer().count()).isEqualTo(1);
            }
        }

        @Test
        void theCertificateExpiryIsTheTimeLeftOnTheServedChain() throws Exception {
            try (ServerUnderTest server = new ServerUnderTest(binder, 10)) {
                double seconds = registry.get("pop3.tls.certificate.expiry").timeGauge().value(TimeUnit.SECONDS);
                double expected = Duration.between(java.time.Instant.now(), server.tls.keyMaterial().notAfter())
                        .toSeconds();
                assertThat(seconds).isCloseTo(expected, within(5.0));
                assertThat(seconds).isGreaterThan(Duration.ofDays(80).toSeconds());
            }
        }
    }
}
